#!/usr/bin/env bash
# idle-memory.sh: resident memory per idle connection, every backend and every native reference,
# at 5,000 and 10,000 connections.
#
#   BENCH=$KIT bench/idle-memory.sh                          # every case below, ~10 minutes
#   BENCH=$KIT CASES="virtual ref-go" COUNTS=5000 bench/idle-memory.sh
#
# Method (docs/performance.md): each server starts fresh, pinned to CPU 0 (the references are
# built from the kit by bench/lib-refs.sh; without BENCH only the backends run). 20 connections
# echo one line and close (first-connection costs: class loading, the JIT, pools), then the
# server's RSS is read from /proc; then bench/idle_clients.py (on CPU 1) opens COUNT
# connections, each echoes one 16-byte line and stays open and silent; 3 s after the last one
# the RSS is read again. Figure: (RSS with them - RSS before) / connections, in KiB. RSS is the
# process's user-space memory; the kernel's socket buffers and thread structures are not in it.
#
# Environment (defaults in brackets):
#   CASES ["ref-echo ref-threads ref-go ref-gevent nio netty:epoll netty:io_uring netty:nio aio
#          uring nonblocking virtual blocking pool:10000"]   pool sized for every connection
#   COUNTS ["5000 10000"]   BENCH [$ECHOLAB_REF_BENCH; none: backends only]   OUT [target/idle-memory]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bin/env.sh"

CASES=${CASES:-"ref-echo ref-threads ref-go ref-gevent nio netty:epoll netty:io_uring netty:nio aio uring nonblocking virtual blocking pool:10000"}
COUNTS=${COUNTS:-"5000 10000"}
BENCH=${BENCH:-${ECHOLAB_REF_BENCH:-}}
OUT=${OUT:-$ROOT/target/idle-memory}
LOGS=$OUT/logs
SERVER_CPU=0 LOAD_CPU=1
RESULTS=$OUT/idle.tsv

[ "$(nproc)" -ge 2 ] || { echo "idle-memory: needs 2 CPUs: one for the server, one for the clients" >&2; exit 1; }
. "$ROOT/bench/lib-refs.sh"
. "$ROOT/bin/children.sh"
trap 'stop_server; stop_children' EXIT
mkdir -p "$LOGS"

if [ -f "$BENCH/ref-echo.c" ]; then
    build_refs
else
    echo "== no reference kit at $BENCH (set BENCH): the references are skipped" >&2
    REF_MISSING+=("ref-echo ref-threads ref-go ref-gevent: no kit (BENCH)")
    echolab_ensure_jar "$ROOT/server/target/echolab-server.jar"
fi

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
threads() { ls "/proc/$1/task" 2>/dev/null | wc -l; }

echo "== $(date -u +%FT%TZ) on $(nproc) CPUs, $(uname -r), $("$JAVA" -version 2>&1 | head -1)" >&2
printf 'server\tconnections\trss_before_kib\trss_idle_kib\tkib_per_connection\tthreads\n' | tee "$RESULTS"
PORT=19600
status=0
for c in $CASES; do
    case $c in ref-*) ref_available "$c" || continue ;; esac
    for n in $COUNTS; do
        PORT=$((PORT + 1))
        name=${c//:/-}-$n
        start_server "$c" "$PORT" || { echo "$c did not start; see $LOGS/server.log" >&2; status=1; continue; }
        taskset -c $LOAD_CPU python3 "$ROOT/bench/idle_clients.py" "$PORT" 20 0 > /dev/null
        nap 2
        before=$(rss_kib "$SERVER_PID")
        # They hold their connections up to 120 s; stopped by PID once measured.
        child taskset -c $LOAD_CPU python3 "$ROOT/bench/idle_clients.py" "$PORT" "$n" 120 > "$LOGS/$name.clients.log" 2>&1
        cl=$!
        for _ in $(seq 1 150); do grep -q '^ready' "$LOGS/$name.clients.log" && break; nap 1; done
        nap 3
        after=$(rss_kib "$SERVER_PID"); t=$(threads "$SERVER_PID")
        got=$(sed -n 's/^ready //p' "$LOGS/$name.clients.log")
        kill "$cl" 2>/dev/null; wait "$cl" 2>/dev/null
        stop_server
        [ "${got:-0}" -eq "$n" ] || { echo "$c: only ${got:-0} of $n connections came up; see $LOGS/$name.clients.log" >&2; status=1; }
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "${got:-0}" "$before" "$after" \
            "$(awk -v a="$after" -v b="$before" -v n="${got:-0}" 'BEGIN { printf "%.1f", (n > 0) ? (a - b) / n : 0 }')" "$t" \
            | tee -a "$RESULTS"
    done
done
for m in "${REF_MISSING[@]}"; do echo "not measured: $m"; done
echo "results in ${RESULTS#"$ROOT"/}"
exit $status
