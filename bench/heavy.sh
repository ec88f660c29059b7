#!/usr/bin/env bash
# heavy.sh: the full-size hostile runs, not for CI (docs/reliability.md has the figures).
#
#   bench/heavy.sh [tests] [scale] [idle]       default: all three parts
#
#   tests  the hostile-client suite at the issue's full sizes (slow reader 256 MiB for 10 s,
#          2,000 resets, 20,000 churn cycles): HostileClientsTest with -Decholab.hostile=full
#   scale  15,000 connections per case: bin/loadgen --driver nio --connections 15000
#          --duration 30s; records loadgen's exit status, msgs/s, errors, mismatches, and the
#          server's threads, RSS and descriptors sampled mid-run
#   idle   per-connection memory: RSS delta / connections at 10,000 idle connections per case
#
# Environment: CASES ["nio nio:2 netty:io_uring netty:epoll netty:nio aio virtual nonblocking blocking pool"]
#              CONNECTIONS [15000]  DURATION [30s]  IDLE [10000]  OUT [target/heavy]
# The open-file limit must allow ~15,100 descriptors per process (server and loadgen each);
# both check it at start and say so in one line if not.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bin/env.sh"
. "$ROOT/bench/lib-server.sh"

PARTS=${*:-tests scale idle}
CASES=${CASES:-"nio nio:2 netty:io_uring netty:epoll netty:nio aio virtual nonblocking blocking pool"}
CONNECTIONS=${CONNECTIONS:-15000}
DURATION=${DURATION:-30s}
IDLE=${IDLE:-10000}
OUT=${OUT:-$ROOT/target/heavy}
mkdir -p "$OUT"
status=0

part_tests() {
    echo "== hostile clients at full size (HostileClientsTest -Decholab.hostile=full)"
    child "$ROOT/mvnw" -f "$ROOT/pom.xml" -B -q test -pl server -Dtest=HostileClientsTest -Decholab.hostile=full \
        -Dsurefire.failIfNoSpecifiedTests=false > "$OUT/tests.log" 2>&1
    wait "$!" || status=1
    grep -E '^churn|Tests run|FAIL' "$OUT/tests.log"
}

part_scale() {
    echo "== $CONNECTIONS connections, loadgen --driver nio --duration $DURATION"
    printf 'case\tloadgen_exit\tmsgs_per_s\terrors\tmismatches\tserver_threads\tserver_rss_mib\tserver_fds\tstats\n' | tee "$OUT/scale.tsv"
    for c in $CASES; do
        local name=${c//:/-}
        start_server "$c" "$OUT/scale-$name.server.log" || { status=1; continue; }
        start_loadgen --port "$SERVER_PORT" --driver nio --connections "$CONNECTIONS" --duration "$DURATION" \
            --json "$OUT/scale-$name.json" > "$OUT/scale-$name.loadgen.log" 2>&1
        local lg=$LOADGEN_PID t=0 r=0 f=0
        # Sample while the load is on: the connect phase takes a few seconds, then the measurement.
        for _ in $(seq 1 20); do
            nap 2
            kill -0 "$lg" 2>/dev/null || break
            local now; now=$(threads "$SERVER_PID"); [ "$now" -gt "$t" ] && t=$now
            now=$(( $(rss_kib "$SERVER_PID") / 1024 )); [ "$now" -gt "$r" ] && r=$now
            now=$(fds "$SERVER_PID"); [ "$now" -gt "$f" ] && f=$now
        done
        wait "$lg"; local e=$?
        [ "$e" -eq 0 ] || status=1
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$e" "$(json_num msgs_per_s "$OUT/scale-$name.json")" \
            "$(json_num errors "$OUT/scale-$name.json")" "$(json_num mismatches "$OUT/scale-$name.json")" \
            "$t" "$r" "$f" "$(stats_line "$OUT/scale-$name.server.log")" | tee -a "$OUT/scale.tsv"
        stop_server
    done
}

part_idle() {
    echo "== memory per idle connection at $IDLE connections"
    printf 'case\tconnections\trss_before_mib\trss_idle_mib\tkib_per_connection\tthreads\n' | tee "$OUT/idle.tsv"
    for c in $CASES; do
        local name=${c//:/-}
        start_server "$c" "$OUT/idle-$name.server.log" || { status=1; continue; }
        python3 "$ROOT/bench/idle_clients.py" "$SERVER_PORT" 20 1 > /dev/null # warm up: first connections' one-off costs
        nap 2
        local before; before=$(rss_kib "$SERVER_PID")
        child python3 "$ROOT/bench/idle_clients.py" "$SERVER_PORT" "$IDLE" 8 > "$OUT/idle-$name.clients.log" 2>&1
        local cl=$!
        for _ in $(seq 1 120); do grep -q '^ready' "$OUT/idle-$name.clients.log" && break; nap 1; done
        nap 3
        local after n t; after=$(rss_kib "$SERVER_PID"); t=$(threads "$SERVER_PID")
        n=$(sed -n 's/^ready //p' "$OUT/idle-$name.clients.log")
        wait "$cl"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "${n:-0}" "$(( before / 1024 ))" "$(( after / 1024 ))" \
            "$(awk -v a="$after" -v b="$before" -v n="${n:-0}" 'BEGIN { printf "%.1f", (n > 0) ? (a - b) / n : 0 }')" "$t" \
            | tee -a "$OUT/idle.tsv"
        stop_server
    done
}

# A number from loadgen's one-line JSON, or "-".
json_num() { grep -o "\"$1\": *[0-9.]*" "$2" 2>/dev/null | head -n 1 | sed 's/.*: *//' || echo -; }

for p in $PARTS; do
    case $p in
        tests) part_tests ;;
        scale) part_scale ;;
        idle) part_idle ;;
        *) echo "unknown part '$p' (tests, scale, idle)" >&2; exit 2 ;;
    esac
done
echo "results in ${OUT#"$ROOT"/}"
exit $status
