#!/usr/bin/env bash
# open-loop.sh: what the load generator's open loop costs and how close to schedule it sends.
#
#   bench/open-loop.sh    # DRIVER=nio CONNECTIONS=1000 RATES="1000 20000" DURATION=10s WARMUP=2s
#
# The server is the C reference ref-echo when a reference kit is given (BENCH=DIR with ref-echo.c),
# otherwise bin/server --backend nio; it runs on CPU 0 and bin/loadgen on CPU 1 (taskset). Cases,
# each in a fresh load generator: the closed loop with CONNECTIONS, and with 1 connection (about
# 20,000-30,000 msgs/s here: the closed loop nearest in throughput to the open loop's 20,000, where
# the load generator also sleeps between messages), whose CPU per message are the yardsticks; then
# the open loop at each rate. The JIT compiles the loop for tens of seconds at 1,000 msgs/s, so for
# steady-state figures give a longer WARMUP (20s). One line per case: msgs/s, load generator CPU (% of its core, and us per
# message), corrected and uncorrected p50, and how late sends left (p50 and p99 behind schedule).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

DRIVER=${DRIVER:-nio}
CONNECTIONS=${CONNECTIONS:-1000}
RATES=${RATES:-"1000 20000"}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
OUT=${OUT:-$ROOT/target/open-loop}
seconds DURATION "$DURATION"
seconds WARMUP "$WARMUP"
mkdir -p "$OUT"

if [ -n "$BENCH" ] && [ -f "$BENCH/ref-echo.c" ]; then
    build_c ref-echo ref-echo.c || exit 1
    server=ref-echo
else
    echo "open-loop: no reference kit (BENCH=DIR with ref-echo.c): using bin/server --backend nio" >&2
    server=nio
fi
start_server "$server" "$OUT/server.log" || exit 1

echo "open-loop: $(date -u '+%Y-%m-%d %H:%M UTC'), server $server on CPU 0, loadgen --driver $DRIVER on CPU 1, $CONNECTIONS connections, $DURATION after $WARMUP warm-up"
printf '%-14s %10s %9s %11s %13s %15s %14s %13s\n' case msgs/s cpu_% cpu_us/msg p50_corr_us p50_uncorr_us late_p50_us late_p99_us
for mode in closed closed:1 $RATES; do
    json=$OUT/${mode/:/-}.json
    args=(--port "$SERVER_PORT" --duration "$DURATION" --warmup "$WARMUP" --driver "$DRIVER" --json "$json")
    case $mode in
        closed) args+=(--connections "$CONNECTIONS") ;;
        closed:*) args+=(--connections "${mode#closed:}") ;;
        *) args+=(--connections "$CONNECTIONS" --rate "$mode") ;;
    esac
    start_loadgen "${args[@]}" > "$OUT/${mode/:/-}.log" 2>&1
    wait "$LOADGEN_PID" || echo "open-loop: loadgen $mode exited non-zero (see $OUT/${mode/:/-}.log)" >&2
    forget "$LOADGEN_PID"
    figures=$(jq -r 'def n(d): if . == null then "-" elif d > 0 then (. * pow(10; d) | round) / pow(10; d) else round end;
        [(.msgs_per_s | n(0)), (.cpu_pct | n(1)),
         (if (.msgs_per_s // 0) > 0 and .cpu_pct != null then .cpu_pct / 100 / .msgs_per_s * 1e6 | n(2) else "-" end),
         (.corrected.p50_us | n(0)), (.p50_us | n(0)), (.send_lateness.p50_us | n(0)), (.send_lateness.p99_us | n(0))]
        | @tsv' "$json" 2> /dev/null) || figures=$(printf -- '-\t-\t-\t-\t-\t-\t-')
    IFS=$'\t' read -r -a f <<< "$figures"
    printf '%-14s %10s %9s %11s %13s %15s %14s %13s\n' "$mode" "${f[@]}"
done
