#!/usr/bin/env bash
# soak.sh: sustained load on one backend, sampling the server from /proc while it runs.
#
#   bench/soak.sh BACKEND MINUTES        e.g. bench/soak.sh nio 10, bench/soak.sh netty:epoll 10
#
# 500 connections of bin/loadgen (closed loop, every echo verified) for MINUTES, against
# bin/server on 127.0.0.1 (server on CPU 0, loadgen on CPU 1). Every INTERVAL seconds one line:
# elapsed, RSS, threads, descriptors and the server's stats line; the samples go to
# target/soak/BACKEND.tsv. Fails (exit 1) if the load generator reports any error or mismatch
# (a lost or changed byte), or if RSS, threads or descriptors keep growing: the last quarter of
# the run may not exceed the first half's maximum (after one warm-up minute's worth of samples)
# by more than RSS_SLACK_MIB, 2 threads or 4 descriptors.
#
# Environment: CONNECTIONS [500]  INTERVAL [10]  RSS_SLACK_MIB [64]  OUT [target/soak]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bin/env.sh"
. "$ROOT/bench/lib-server.sh"

[ $# -eq 2 ] || { echo "usage: bench/soak.sh BACKEND MINUTES" >&2; exit 2; }
CASE=$1 MINUTES=$2
[[ $MINUTES =~ ^[0-9]+$ ]] && [ "$MINUTES" -ge 1 ] || { echo "MINUTES must be a whole number >= 1" >&2; exit 2; }
CONNECTIONS=${CONNECTIONS:-500}
INTERVAL=${INTERVAL:-10}
RSS_SLACK_MIB=${RSS_SLACK_MIB:-64}
OUT=${OUT:-$ROOT/target/soak}
mkdir -p "$OUT"
name=${CASE//:/-}
TSV=$OUT/$name.tsv

start_server "$CASE" "$OUT/$name.server.log" || exit 1
echo "soak: $CASE pid $SERVER_PID port $SERVER_PORT, $CONNECTIONS connections for ${MINUTES}m"
start_loadgen --port "$SERVER_PORT" --connections "$CONNECTIONS" --duration "${MINUTES}m" --warmup 5s \
    --json "$OUT/$name.json" > "$OUT/$name.loadgen.log" 2>&1
LOAD_PID=$LOADGEN_PID

printf 'seconds\trss_mib\tthreads\tfds\tstats\n' > "$TSV"
start=$(date +%s)
while kill -0 "$LOAD_PID" 2>/dev/null; do
    nap "$INTERVAL"
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "soak: the server died" >&2; exit 1; }
    line=$(printf '%s\t%s\t%s\t%s\t%s' "$(( $(date +%s) - start ))" "$(( $(rss_kib "$SERVER_PID") / 1024 ))" \
        "$(threads "$SERVER_PID")" "$(fds "$SERVER_PID")" "$(stats_line "$OUT/$name.server.log")")
    echo "$line" | tee -a "$TSV"
done
wait "$LOAD_PID"; load_status=$?
LOAD_PID=""
tail -n 25 "$OUT/$name.loadgen.log"

# Growth check: first-half maximum (skipping the first minute) against the last quarter's maximum.
verdict=$(awk -F'\t' -v slack="$RSS_SLACK_MIB" -v skip=$(( 60 / INTERVAL )) '
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
[ "$load_status" -eq 0 ] || { echo "soak: FAILED: the load generator reported errors or mismatches" >&2; exit 1; }
[[ $verdict == bounded* ]] || { echo "soak: FAILED: $verdict" >&2; exit 1; }
echo "soak: passed"
