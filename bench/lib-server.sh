# Sourced by the bench scripts: start one echolab server, sample it from /proc, stop it by PID.
# A case is  id[:arg]  as in compare-ref.sh: nio, nio:2 (--threads 2), netty:epoll (--transport),
# pool:5000 (--threads). Everything binds 127.0.0.1 only. Every process is started with `child`
# (bin/children.sh), so none outlives the script, whatever ends it.
. "$ROOT/bin/children.sh"

# Prints the bin/server options for case $1.
case_args() {
    local id=${1%%:*} arg=""
    [[ $1 == *:* ]] && arg=${1#*:}
    local out="--backend $id"
    if [ -n "$arg" ]; then
        if [ "$id" = netty ]; then out="$out --transport $arg"; else out="$out --threads $arg"; fi
    fi
    echo "$out"
}

# start_server CASE LOG [extra options...]: sets SERVER_PID and SERVER_PORT (pinned to CPU 0 if taskset exists).
start_server() {
    local c=$1 log=$2; shift 2
    local pin=()
    command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ] && pin=(taskset -c 0)
    # shellcheck disable=SC2046
    child "${pin[@]}" "$ROOT/bin/server" $(case_args "$c") --host 127.0.0.1 --port 0 "$@" > "$log" 2>&1
    SERVER_PID=$!
    SERVER_PORT=""
    for _ in $(seq 1 150); do
        SERVER_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$log" | head -n 1)
        [ -n "$SERVER_PORT" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "server $c did not start; see $log" >&2
    stop_server
    return 1
}

stop_server() {
    [ -n "${SERVER_PID:-}" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
}

# The java process behind bin/server (the launcher execs, so the PID is the JVM's).
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
threads() { ls "/proc/$1/task" 2>/dev/null | wc -l; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The server's latest stats line.
stats_line() { grep '^connections=' "$1" | tail -n 1; }

# start_loadgen [options...]: bin/loadgen in the background, pinned to CPU 1 (when there are
# two); sets LOADGEN_PID. Redirect its output on the call: start_loadgen ... > log 2>&1
start_loadgen() {
    local pin=()
    command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ] && pin=(taskset -c 1)
    child "${pin[@]}" "$ROOT/bin/loadgen" --host 127.0.0.1 "$@"
    LOADGEN_PID=$!
}
