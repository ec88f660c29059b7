#!/usr/bin/env bash
# heavy.sh: the full-size hostile runs, not for CI (docs/reliability.md has the figures).
#
#   bench/heavy.sh [tests] [scale] [idle]       default: all three parts
#
#   tests  the hostile-client suite at the issue's full sizes (slow reader 256 MiB for 10 s,
#          2,000 resets, 20,000 churn cycles): HostileClientsTest with -Decholab.hostile=full
#   scale  15,000 connections per case: bin/loadgen --driver nio --connections 15000
#          --duration 30s; records loadgen's exit status, msgs/s, errors, mismatches, and the
#          server's peak threads, RSS and descriptors while the load is on (bin/lab probe sample)
#   idle   per-connection memory: RSS delta / connections at 10,000 idle connections per case
#
# Environment: CASES ["nio nio:2 netty:io_uring netty:epoll netty:nio aio virtual nonblocking blocking pool"]
#              CONNECTIONS [15000]  DURATION [30s]  IDLE [10000]  OUT [target/heavy]
# The open-file limit must allow ~15,100 descriptors per process (server and loadgen each);
# both check it at start and say so in one line if not.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

PARTS=${*:-tests scale idle}
CASES=${CASES:-"nio nio:2 netty:io_uring netty:epoll netty:nio aio virtual nonblocking blocking pool"}
CONNECTIONS=${CONNECTIONS:-15000}
DURATION=${DURATION:-30s}
IDLE=${IDLE:-10000}
OUT=${OUT:-$ROOT/target/heavy}
for p in $PARTS; do
    case $p in tests|scale|idle) ;; *) usage "unknown part '$p' (tests, scale, idle)" ;; esac
done
seconds DURATION "$DURATION"
mkdir -p "$OUT"
status=0

part_tests() {
    echo "== hostile clients at full size (HostileClientsTest -Decholab.hostile=full)"
    run "$ROOT/mvnw" -f "$ROOT/pom.xml" -B -q test -pl server -Dtest=HostileClientsTest -Decholab.hostile=full \
        -Dsurefire.failIfNoSpecifiedTests=false > "$OUT/tests.log" 2>&1 || status=1
    grep -E '^churn|Tests run|FAIL' "$OUT/tests.log"
}

part_scale() {
    echo "== $CONNECTIONS connections, loadgen --driver nio --duration $DURATION"
    printf 'case\tloadgen_exit\tmsgs_per_s\terrors\tmismatches\tserver_threads\tserver_rss_mib\tserver_fds\tstats\n' | tee "$OUT/scale.tsv"
    local c
    for c in $CASES; do
        local name=${c//:/-} e=0
        start_server "$c" "$OUT/scale-$name.server.log" || { status=1; continue; }
        start_loadgen --port "$SERVER_PORT" --driver nio --connections "$CONNECTIONS" --duration "$DURATION" \
            --json "$OUT/scale-$name.json" > "$OUT/scale-$name.loadgen.log" 2>&1
        # The peaks while the load is on: the connect phase, then the measurement.
        start_sampler "$SERVER_PID" "$OUT/scale-$name.samples.jsonl" 2s
        wait "$LOADGEN_PID" || e=$?
        forget "$LOADGEN_PID"
        stop_sampler
        [ "$e" -eq 0 ] || status=1
        local peaks figures
        peaks=$(jq -rs '[(map(.server.threads) | max), (map(.server.rss_kib) | max | if . then . / 1024 | floor else . end),
            (map(.server.fds) | max)] | map(. // "-") | @tsv' "$OUT/scale-$name.samples.jsonl")
        figures=$(jq -r '[.msgs_per_s, .errors, .mismatches] | map(. // "-") | @tsv' "$OUT/scale-$name.json" 2> /dev/null \
            || printf -- '-\t-\t-')
        stats_line "$OUT/scale-$name.server.log"
        printf '%s\t%s\t%s\t%s\t%s\n' "$c" "$e" "$figures" "$peaks" "$REPLY" \
            | tee -a "$OUT/scale.tsv"
        stop_server
    done
}

part_idle() {
    echo "== memory per idle connection at $IDLE connections"
    printf 'case\tconnections\trss_before_mib\trss_idle_mib\tkib_per_connection\tthreads\n' | tee "$OUT/idle.tsv"
    local c
    for c in $CASES; do
        local name=${c//:/-}
        start_server "$c" "$OUT/idle-$name.server.log" || { status=1; continue; }
        run python3 "$ROOT/bench/idle_clients.py" "$SERVER_PORT" 20 1 > /dev/null # warm up: first connections' one-off costs
        nap 2
        sample_now "$SERVER_PID"; local before=$REPLY
        child python3 "$ROOT/bench/idle_clients.py" "$SERVER_PORT" "$IDLE" 8 > "$OUT/idle-$name.clients.log" 2>&1
        local cl=$!
        for _ in $(seq 1 120); do grep -q '^ready' "$OUT/idle-$name.clients.log" && break; nap 1; done
        nap 3
        sample_now "$SERVER_PID"; local after=$REPLY
        local n; n=$(sed -n 's/^ready //p' "$OUT/idle-$name.clients.log")
        wait "$cl"; forget "$cl"
        jq -rn --arg case "$c" --argjson n "${n:-0}" --argjson b "$before" --argjson a "$after" \
            '[$case, $n, ($b.server.rss_kib / 1024 | floor), ($a.server.rss_kib / 1024 | floor),
              (if $n > 0 then ($a.server.rss_kib - $b.server.rss_kib) / $n * 10 | round / 10 else 0 end), $a.server.threads] | @tsv' \
            | tee -a "$OUT/idle.tsv"
        stop_server
    done
}

for p in $PARTS; do
    "part_$p"
done
echo "results in ${OUT#"$ROOT"/}"
exit $status
