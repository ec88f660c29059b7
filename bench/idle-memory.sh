#!/usr/bin/env bash
# idle-memory.sh: resident memory per idle connection, every backend and every native reference,
# at 5,000 and 10,000 connections.
#
#   BENCH=$KIT bench/idle-memory.sh                          # every case below, ~10 minutes
#   BENCH=$KIT CASES="virtual ref-go" COUNTS=5000 bench/idle-memory.sh
#
# Method (docs/performance.md): each server starts fresh, pinned to CPU 0 (the references are
# built from the kit by bench/lib.sh; without BENCH only the backends run). 20 connections
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
. "$(dirname "$0")/lib.sh"

CASES=${CASES:-"ref-echo ref-threads ref-go ref-gevent nio netty:epoll netty:io_uring netty:nio aio uring nonblocking virtual blocking pool:10000"}
COUNTS=${COUNTS:-"5000 10000"}
OUT=${OUT:-$ROOT/target/idle-memory}
LOGS=$OUT/logs
RESULTS=$OUT/idle.tsv

[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: one for the server, one for the clients"
mkdir -p "$LOGS"

if [ -n "$BENCH" ] && [ -f "$BENCH/ref-echo.c" ]; then
    build_refs
else
    log "no reference kit${BENCH:+ at $BENCH} (set BENCH to its folder): the references are skipped"
    REF_MISSING+=("ref-echo ref-threads ref-go ref-gevent: no kit (BENCH)")
fi

log "$(date -u +%FT%TZ) on $(nproc) CPUs, $(uname -r), $("$JAVA" -version 2>&1 | head -1)"
printf 'server\tconnections\trss_before_kib\trss_idle_kib\tkib_per_connection\tthreads\n' | tee "$RESULTS"
status=0
for c in $CASES; do
    if is_ref "$c"; then
        { [ -n "$BENCH" ] && ref_available "$c"; } || continue
    fi
    for n in $COUNTS; do
        name=${c//:/-}-$n
        start_server "$c" "$LOGS/$name.server.log" || { status=1; continue; }
        # shellcheck disable=SC2046
        run $(on "$LOAD_CPU") python3 "$ROOT/bench/idle_clients.py" "$SERVER_PORT" 20 0 > /dev/null
        nap 2
        sample_now "$SERVER_PID"; before=$REPLY
        # They hold their connections up to 120 s; stopped by PID once measured.
        # shellcheck disable=SC2046
        child $(on "$LOAD_CPU") python3 "$ROOT/bench/idle_clients.py" "$SERVER_PORT" "$n" 120 > "$LOGS/$name.clients.log" 2>&1
        cl=$!
        for _ in $(seq 1 150); do grep -q '^ready' "$LOGS/$name.clients.log" && break; nap 1; done
        nap 3
        sample_now "$SERVER_PID"; after=$REPLY
        got=$(sed -n 's/^ready //p' "$LOGS/$name.clients.log")
        kill "$cl" 2>/dev/null; wait "$cl" 2>/dev/null; forget "$cl"
        stop_server
        [ "${got:-0}" -eq "$n" ] || { echo "$c: only ${got:-0} of $n connections came up; see $LOGS/$name.clients.log" >&2; status=1; }
        jq -rn --arg c "$c" --argjson n "${got:-0}" --argjson b "$before" --argjson a "$after" \
            '[$c, $n, $b.server.rss_kib, $a.server.rss_kib,
              (if $n > 0 then ($a.server.rss_kib - $b.server.rss_kib) / $n * 10 | round / 10 else 0 end), $a.server.threads] | @tsv' \
            | tee -a "$RESULTS"
    done
done
for m in "${REF_MISSING[@]}"; do echo "not measured: $m"; done
echo "results in ${RESULTS#"$ROOT"/}"
exit $status
