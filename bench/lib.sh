# bench/lib.sh: sourced by every bench script. The bash side of a benchmark only: starting,
# pinning, waiting and stopping. What the Java side knows comes from bin/ (bin/lab probe):
# when a server is ready and on which port, how many processes N connections need, durations
# in the unit a foreign tool takes, and a server's /proc readings as JSON Lines.
#
# Conventions of every script:
# - durations are typed as the commands read them (DURATION=10s, WARMUP=500ms, 2m) and passed
#   to them as typed; a tool that takes plain seconds (the kit's ref-load) gets `seconds D`;
# - a server case is  ID[:ARG]  for bin/server --backend ID, ARG a number for --threads ARG or a
#   name for --transport ARG (nio:2, pool:5000, netty:epoll); or a reference of the kit (ref-echo,
#   ref-threads, ref-go, ref-gevent, netty-ref:TRANSPORT) where a script says so;
# - everything binds and connects on 127.0.0.1; every process is started with `child`
#   (bin/children.sh), so none outlives the script, whatever ends it;
# - the reference kit (C servers and load generator, not part of this repository) is the folder
#   BENCH (or ECHOLAB_REF_BENCH) names; scripts that need it say so when it is missing.
#
# Sets ROOT; sources bin/env.sh (JAVA, JAVA_OPTS, echolab_ensure_jar) and bin/children.sh.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bin/env.sh"
. "$ROOT/bin/children.sh"
BENCH=${BENCH:-${ECHOLAB_REF_BENCH:-}}
BENCH_NAME=$(basename "$0" .sh)
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PIN=${PIN:-on}

die() { echo "$BENCH_NAME: $*" >&2; exit 1; }
usage() { echo "$BENCH_NAME: $*" >&2; exit 2; }
log() { echo "== $*" >&2; }

# Removes PID from the children bin/children.sh stops at exit, once it has ended (its number may
# be reused by some other process).
forget() {
    local i
    for i in "${!ECHOLAB_CHILDREN[@]}"; do
        [ "${ECHOLAB_CHILDREN[$i]}" = "$1" ] && unset "ECHOLAB_CHILDREN[$i]"
    done
    ECHOLAB_CHILDREN=("${ECHOLAB_CHILDREN[@]}")
}

# run CMD [ARGS...]: CMD as a child, waited for (a signal to the script stops it at once); its status.
run() {
    child "$@"
    local pid=$! status=0
    wait "$pid" || status=$?
    forget "$pid"
    return $status
}

# ---- facts from bin/lab probe -------------------------------------------------------------------
# probe ARGS...: bin/lab probe ARGS; sets REPLY to its answer (one line) and returns its status.
# A child of this shell, not of a $(...) subshell: a signal to the script stops it at once.
PROBE_REPLY=$(mktemp "${TMPDIR:-/tmp}/echolab-probe.XXXXXX")
probe() {
    local status=0
    run "$ROOT/bin/lab" probe "$@" > "$PROBE_REPLY" || status=$?
    REPLY=
    IFS= read -r REPLY < "$PROBE_REPLY"
    return $status
}

# seconds NAME VALUE: REPLY = the duration VALUE in seconds (a decimal), or exit 2 naming NAME.
seconds() { probe duration "$2" --in s 2> /dev/null || usage "$1 must be a duration such as 10s, 500ms or 2m, not '$2'"; }
# millis NAME VALUE: REPLY = the duration VALUE in whole milliseconds, or exit 2 naming NAME.
millis() { probe duration "$2" --in ms 2> /dev/null || usage "$1 must be a duration such as 10s, 500ms or 2m, not '$2'"; }
# processes_for N: REPLY = how many processes N connections need under a JVM's open-file limit.
processes_for() { probe processes --connections "$1"; }
# sample_now PID: REPLY = one reading of PID's process tree and the machine, one JSON object.
sample_now() { probe sample --pid "$1" --count 1; }

# ---- pinning ------------------------------------------------------------------------------------
# on CPU: the taskset prefix that runs a command on CPU (a list such as 1-3 too), or nothing
# when PIN=off, taskset is missing or the machine has one CPU.
on() {
    [ "$PIN" = on ] && command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ] && echo "taskset -c $1"
    return 0
}

# ---- servers ------------------------------------------------------------------------------------
# server_args CASE: the bin/server options of an echolab case ID[:ARG].
server_args() {
    local id=${1%%:*} arg=""
    [[ $1 == *:* ]] && arg=${1#*:}
    echo "--backend $id"
    if [[ $arg =~ ^[0-9]+$ ]]; then echo "--threads $arg"; elif [ -n "$arg" ]; then echo "--transport $arg"; fi
}

# The kit's references, and the port each next one takes (they print no echolab ready line, so
# they listen on a port chosen here and are ready when it accepts).
REF_PORT=${REF_PORT:-19300}
REF_MISSING=()
is_ref() { [[ $1 == ref-* || $1 == netty-ref:* ]]; }
ref_command() { # NAME PORT
    case ${1%%:*} in
        ref-echo|ref-threads) echo "$OUT/$1 $2" ;;
        ref-go) echo "$OUT/ref-echo-go $2" ;;
        ref-gevent) echo "/usr/bin/python3 $BENCH/ref-echo-gevent.py $2" ;;
        netty-ref) echo "$JAVA ${JAVA_OPTS[*]} ${PROFILE_OPTS:-} -jar $OUT/netty-ref-src/netty-ref/target/netty-ref.jar --transport ${1#*:} --port $2" ;;
    esac
}

# start_server CASE LOG [bin/server options...]: starts an echolab case (bin/server on 127.0.0.1,
# --port 0) or a reference of the kit, pinned to SERVER_CPU, and waits until it is ready (60 s at
# most). Sets SERVER_PID and SERVER_PORT; returns 1, saying why, if it did not start.
# PROFILE_OPTS, if set, are extra JVM flags for it.
start_server() {
    local name=$1 log=$2 ready
    shift 2
    SERVER_PID=
    SERVER_PORT=
    if is_ref "$name"; then
        REF_PORT=$((REF_PORT + 1))
        # shellcheck disable=SC2046
        child $(on "$SERVER_CPU") $(ref_command "$name" "$REF_PORT") > "$log" 2>&1
        ready=(--port "$REF_PORT")
    else
        # shellcheck disable=SC2046
        child $(on "$SERVER_CPU") env "ECHOLAB_JAVA_OPTS=${ECHOLAB_JAVA_OPTS:-} ${PROFILE_OPTS:-}" "$ROOT/bin/server" \
            $(server_args "$name") --host 127.0.0.1 --port 0 "$@" > "$log" 2>&1
        ready=(--log "$log")
    fi
    SERVER_PID=$!
    if ! probe ready --pid "$SERVER_PID" "${ready[@]}" --timeout 60s; then
        echo "$BENCH_NAME: $name did not start; see $log, which begins and ends:" >&2
        { head -n 3 "$log"; [ "$(wc -l < "$log")" -le 6 ] || echo "  ..."; tail -n +4 "$log" | tail -n 3; } >&2
        stop_server
        return 1
    fi
    SERVER_PORT=$REPLY
}

# stop_server: SIGTERM to the server, SIGKILL 10 s later if it is still there.
stop_server() {
    [ -n "${SERVER_PID:-}" ] || return 0
    kill -TERM "$SERVER_PID" 2> /dev/null
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2> /dev/null
    wait "$SERVER_PID" 2> /dev/null
    forget "$SERVER_PID"
    SERVER_PID=
}

# stats_line LOG: REPLY = the server's latest stats line in LOG, as it printed it (empty if none yet).
stats_line() { probe stats --log "$1"; }

# ---- load ---------------------------------------------------------------------------------------
# start_loadgen [bin/loadgen options...]: bin/loadgen against 127.0.0.1 in the background, pinned
# to LOAD_CPU; sets LOADGEN_PID. Redirect its output on the call: start_loadgen ... > log 2>&1
start_loadgen() {
    # shellcheck disable=SC2046
    child $(on "$LOAD_CPU") "$ROOT/bin/loadgen" --host 127.0.0.1 "$@"
    LOADGEN_PID=$!
}

# ---- samples ------------------------------------------------------------------------------------
# start_sampler PID FILE [EVERY]: bin/lab probe sample in the background, one JSON line per EVERY
# (default 1s) into FILE until PID ends; sets SAMPLER_PID (stop it with stop_sampler).
start_sampler() {
    child "$ROOT/bin/lab" probe sample --pid "$1" --every "${3:-1s}" > "$2"
    SAMPLER_PID=$!
}
stop_sampler() {
    [ -n "${SAMPLER_PID:-}" ] || return 0
    kill -TERM "$SAMPLER_PID" 2> /dev/null
    wait "$SAMPLER_PID" 2> /dev/null
    forget "$SAMPLER_PID"
    SAMPLER_PID=
}

# ---- the reference kit --------------------------------------------------------------------------
# require_kit: exit 1, saying so, unless BENCH is the kit's folder.
require_kit() {
    [ -n "$BENCH" ] || die "needs the reference kit (ref-echo.c, ref-load.c, ...): set BENCH to its folder"
    [ -f "$BENCH/ref-echo.c" ] || die "reference kit not found at $BENCH (set BENCH to its folder)"
}

# Is reference $1 built and runnable here?
ref_available() {
    case $1 in
        ref-echo|ref-threads) [ -x "$OUT/$1" ] ;;
        ref-go) [ -x "$OUT/ref-echo-go" ] ;;
        ref-gevent) /usr/bin/python3 -c 'import gevent' 2> /dev/null ;;
        *) return 0 ;;
    esac
}

# build_c NAME SOURCE: the kit's C program SOURCE built into OUT/NAME.
build_c() {
    command -v gcc > /dev/null || die "gcc is needed to build the reference kit"
    mkdir -p "$OUT"
    gcc -O2 -o "$OUT/$1" "$BENCH/$2" -pthread
}

# build_refs: the kit's ref-echo, ref-load, ref-threads (gcc) and ref-go (go) into OUT; what cannot
# be built here is skipped and REF_MISSING says why, one line each. Needs OUT and LOGS.
build_refs() {
    require_kit
    mkdir -p "$OUT" "$LOGS"
    log "building ref-echo, ref-load, ref-threads (gcc) and ref-go (go) into $OUT"
    build_c ref-echo ref-echo.c || die "gcc ref-echo failed"
    build_c ref-load ref-load.c || die "gcc ref-load failed"
    if [ -f "$BENCH/ref-echo-threads.c" ]; then
        build_c ref-threads ref-echo-threads.c || REF_MISSING+=("ref-threads: gcc failed")
    else
        REF_MISSING+=("ref-threads: no ref-echo-threads.c in $BENCH")
    fi
    if ! command -v go > /dev/null; then
        REF_MISSING+=("ref-go: skipped, go is not installed (Debian: apt-get install golang-go)")
    else
        # The kit is read-only: build from a copy.
        rm -rf "$OUT/ref-echo-go-src" && cp -r "$BENCH/ref-echo-go" "$OUT/ref-echo-go-src" && chmod -R u+w "$OUT/ref-echo-go-src"
        (cd "$OUT/ref-echo-go-src" && go build -o "$OUT/ref-echo-go" . > "$LOGS/go-build.log" 2>&1) \
            || REF_MISSING+=("ref-go: go build failed (see $LOGS/go-build.log)")
    fi
    ref_available ref-gevent \
        || REF_MISSING+=("ref-gevent: skipped, /usr/bin/python3 has no gevent (Debian: apt-get install python3-gevent)")
    local m
    for m in "${REF_MISSING[@]}"; do log "$m"; done
}

# Whatever ends the script: the sampler and the server stopped by PID, then every other child.
bench_exit() {
    stop_sampler
    stop_server
    stop_children
    rm -f "$PROBE_REPLY"
}
trap bench_exit EXIT

# The jars every script uses, built once up front (bin/ would build them on first use, in the
# middle of a measurement).
echolab_ensure_jar "$ROOT/server/target/echolab-server.jar"
echolab_ensure_jar "$ROOT/loadgen/target/echolab-loadgen.jar"
echolab_ensure_jar "$ROOT/lab/target/echolab-lab.jar"
