#!/usr/bin/env bash
# soak.sh: sustained load on one backend, sampling the server from /proc while it runs.
#
#   bench/soak.sh CASE DURATION        e.g. bench/soak.sh nio 10m, bench/soak.sh netty:epoll 10m
#
# 500 connections of bin/loadgen (closed loop, every echo verified) for DURATION, against
# bin/server on 127.0.0.1 (server on CPU 0, loadgen on CPU 1). Every INTERVAL one line: elapsed
# seconds, RSS, threads, descriptors (bin/lab probe sample) and the server's stats line; the lines
# go to OUT/CASE.tsv, every reading to OUT/CASE.samples.jsonl. Fails (exit 1) if the load generator
# reports any error or mismatch (a lost or changed byte), or if RSS, threads or descriptors keep
# growing: the last quarter of the run may not exceed the first half's maximum (after one warm-up
# minute's worth of lines) by more than RSS_SLACK_MIB, 2 threads or 4 descriptors.
#
# Environment: CONNECTIONS [500]  INTERVAL [10s]  RSS_SLACK_MIB [64]  OUT [target/soak]
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || usage "usage: bench/soak.sh CASE DURATION   (e.g. nio 10m)"
CASE=$1 DURATION=$2
seconds DURATION "$DURATION"
CONNECTIONS=${CONNECTIONS:-500}
INTERVAL=${INTERVAL:-10s}
seconds INTERVAL "$INTERVAL"; interval_s=$REPLY
RSS_SLACK_MIB=${RSS_SLACK_MIB:-64}
OUT=${OUT:-$ROOT/target/soak}
mkdir -p "$OUT"
name=${CASE//:/-}
TSV=$OUT/$name.tsv
SAMPLES=$OUT/$name.samples.jsonl

start_server "$CASE" "$OUT/$name.server.log" || exit 1
echo "soak: $CASE pid $SERVER_PID port $SERVER_PORT, $CONNECTIONS connections for $DURATION"
start_loadgen --port "$SERVER_PORT" --connections "$CONNECTIONS" --duration "$DURATION" --warmup 5s \
    --json "$OUT/$name.json" > "$OUT/$name.loadgen.log" 2>&1
start_sampler "$SERVER_PID" "$SAMPLES" "$INTERVAL"

printf 'seconds\trss_mib\tthreads\tfds\tstats\n' > "$TSV"
start_ms=$(date +%s%3N)
while kill -0 "$LOADGEN_PID" 2>/dev/null; do
    nap "$interval_s"
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died"
    [ -s "$SAMPLES" ] || continue
    line=$(tail -n 1 "$SAMPLES" | jq -r --argjson t0 "$start_ms" \
        '[((.epoch_ms - $t0) / 1000 | floor), (.server.rss_kib / 1024 | floor), .server.threads, .server.fds] | @tsv')
    stats_line "$OUT/$name.server.log"
    printf '%s\t%s\n' "$line" "$REPLY" | tee -a "$TSV"
done
wait "$LOADGEN_PID"; load_status=$?
forget "$LOADGEN_PID"
stop_sampler
tail -n 25 "$OUT/$name.loadgen.log"

# Growth check: first-half maximum (skipping the first minute) against the last quarter's maximum.
verdict=$(awk -F'\t' -v slack="$RSS_SLACK_MIB" -v skip="$(awk -v i="$interval_s" 'BEGIN { print int(60 / i) }')" '
    NR > 1 { n++; rss[n] = $2; thr[n] = $3; fd[n] = $4 }
    END {
        if (n < 4) { print "too few samples (" n ") to judge growth"; exit }
        from = (skip < n / 4) ? skip + 1 : 1; half = int(n / 2); q = int(n * 3 / 4)
        for (i = from; i <= half; i++) { if (rss[i] > r1) r1 = rss[i]; if (thr[i] > t1) t1 = thr[i]; if (fd[i] > f1) f1 = fd[i] }
        for (i = q + 1; i <= n; i++) { if (rss[i] > r2) r2 = rss[i]; if (thr[i] > t2) t2 = thr[i]; if (fd[i] > f2) f2 = fd[i] }
        bad = ""
        if (r2 > r1 + slack) bad = bad " rss " r1 "->" r2 " MiB"
        if (t2 > t1 + 2) bad = bad " threads " t1 "->" t2
        if (f2 > f1 + 4) bad = bad " fds " f1 "->" f2
        printf "%s (first half max: rss %d MiB, threads %d, fds %d; last quarter max: rss %d MiB, threads %d, fds %d)\n",
            (bad == "" ? "bounded" : "GROWING:" bad), r1, t1, f1, r2, t2, f2
    }' "$TSV")
echo "soak $CASE: $verdict; loadgen exit $load_status"
[ "$load_status" -eq 0 ] || die "FAILED: the load generator reported errors or mismatches"
[[ $verdict == bounded* ]] || die "FAILED: $verdict"
echo "soak: passed"
