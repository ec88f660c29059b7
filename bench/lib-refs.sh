# Sourced by compare-ref.sh and idle-memory.sh: builds the reference servers of the kit (BENCH)
# into $OUT, and starts any server, reference or echolab backend, pinned to CPU $SERVER_CPU on a
# given port; SERVER_PID is its PID (stopped with stop_server).
#
# The references, one per IO model (the kit's README):
#   ref-echo     C, one epoll loop: the floor of the event loops (nio, netty, aio, nonblocking, uring)
#   ref-threads  C, one pthread per connection (64 KiB stacks): the floor of blocking and pool
#   ref-go       Go, one goroutine per connection on the netpoller: the floor of virtual
#   ref-gevent   the chapter's Python gevent server, a greenlet per connection: virtual's other neighbour
# ref-go needs `go` (Debian: golang-go), ref-gevent /usr/bin/python3 with gevent (python3-gevent);
# without them they are skipped and REF_MISSING says why in one line each.
#
# Needs ROOT, OUT, LOGS, BENCH, JAVA, JAVA_OPTS, SERVER_CPU; PROFILE_OPTS (extra JVM flags) if set.

REF_MISSING=()

refs_log() { echo "== $*" >&2; }

# The native reference of each backend's own model (blank: the model's floor is ref-echo itself).
model_refs() {
    case ${1%%:*} in
        virtual) echo "ref-go ref-gevent" ;;
        blocking|pool) echo "ref-threads" ;;
        *) echo "" ;;
    esac
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

build_refs() {
    [ -f "$BENCH/ref-echo.c" ] || { echo "reference kit not found at $BENCH (set BENCH)" >&2; exit 1; }
    mkdir -p "$OUT" "$LOGS"
    refs_log "building ref-echo, ref-load, ref-threads (gcc) and ref-go (go) into $OUT"
    gcc -O2 -o "$OUT/ref-echo" "$BENCH/ref-echo.c" -pthread || { echo "gcc ref-echo failed" >&2; exit 1; }
    gcc -O2 -o "$OUT/ref-load" "$BENCH/ref-load.c" -pthread || { echo "gcc ref-load failed" >&2; exit 1; }
    if [ -f "$BENCH/ref-echo-threads.c" ]; then
        gcc -O2 -o "$OUT/ref-threads" "$BENCH/ref-echo-threads.c" -pthread || REF_MISSING+=("ref-threads: gcc failed")
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
    for m in "${REF_MISSING[@]}"; do refs_log "$m"; done
    echolab_ensure_jar "$ROOT/server/target/echolab-server.jar"
}

# Prints the command that starts server $1 (a reference, netty-ref:T, or a backend id[:arg]) on port $2.
server_cmd() {
    local name=${1%%:*} arg=${1#*:} jar="$ROOT/server/target/echolab-server.jar"
    [ "$arg" = "$1" ] && arg=
    local java="$JAVA ${JAVA_OPTS[*]} ${PROFILE_OPTS:-}"
    case $name in
        ref-echo|ref-threads) echo "$OUT/$name $2" ;;
        ref-go) echo "$OUT/ref-echo-go $2" ;;
        ref-gevent) echo "/usr/bin/python3 $BENCH/ref-echo-gevent.py $2" ;;
        netty-ref) echo "$java -jar $OUT/netty-ref-src/netty-ref/target/netty-ref.jar --transport $arg --port $2" ;;
        netty) echo "$java -jar $jar --backend netty --port $2 ${arg:+--transport $arg}" ;;
        *) echo "$java -jar $jar --backend $name --port $2 ${arg:+--threads $arg}" ;;
    esac
}

SERVER_PID=
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -9 "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}

# start_server NAME PORT: starts it pinned, waits until it accepts (30 s at most).
start_server() {
    local cmd; cmd=$(server_cmd "$1" "$2")
    echo "== $(date -u +%FT%TZ) $cmd" >> "$LOGS/server.log"
    # shellcheck disable=SC2086
    child taskset -c $SERVER_CPU $cmd >> "$LOGS/server.log" 2>&1
    SERVER_PID=$!
    for _ in $(seq 300); do
        kill -0 "$SERVER_PID" 2>/dev/null || { SERVER_PID=; return 1; }
        (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
        sleep 0.1
    done
    stop_server
    return 1
}
