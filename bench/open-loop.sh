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
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bin/env.sh"
. "$ROOT/bin/children.sh"

DRIVER=${DRIVER:-nio}
CONNECTIONS=${CONNECTIONS:-1000}
RATES=${RATES:-"1000 20000"}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
OUT=${OUT:-$ROOT/target/open-loop}
BENCH=${BENCH:-}
mkdir -p "$OUT"
echolab_ensure_jar "$ROOT/loadgen/target/echolab-loadgen.jar"
pin() { command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ] && echo "taskset -c $1"; }

if [ -n "$BENCH" ] && [ -f "$BENCH/ref-echo.c" ]; then
    gcc -O2 -o "$OUT/ref-echo" "$BENCH/ref-echo.c" -pthread || exit 1
    PORT=19411
    # shellcheck disable=SC2046
    child $(pin 0) "$OUT/ref-echo" "$PORT" > "$OUT/server.log" 2>&1
    server="ref-echo"
    for _ in $(seq 50); do (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && break; nap 0.1; done
else
    echo "open-loop: no reference kit (BENCH=DIR with ref-echo.c): using bin/server --backend nio" >&2
    # shellcheck disable=SC2046
    child $(pin 0) "$ROOT/bin/server" --backend nio --port 0 > "$OUT/server.log" 2>&1
    server="nio"
    for _ in $(seq 300); do
        PORT=$(sed -n 's/^listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$OUT/server.log")
        [ -n "$PORT" ] && break
        nap 0.1
    done
fi

field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=d
for k in sys.argv[2].split("/"):
    v = v.get(k) if isinstance(v, dict) else None
d = int(sys.argv[3]) if len(sys.argv) > 3 else 0
print("-" if v is None else (round(v, d) if d else round(v)) if isinstance(v, float) else v)' "$@"; }

echo "open-loop: $(date -u '+%Y-%m-%d %H:%M UTC'), server $server on CPU 0, loadgen --driver $DRIVER on CPU 1, $CONNECTIONS connections, $DURATION after $WARMUP warm-up"
printf '%-14s %10s %9s %11s %13s %15s %14s %13s\n' case msgs/s cpu_% cpu_us/msg p50_corr_us p50_uncorr_us late_p50_us late_p99_us
for mode in closed closed:1 $RATES; do
    json=$OUT/${mode/:/-}.json
    args=(--port "$PORT" --duration "$DURATION" --warmup "$WARMUP" --driver "$DRIVER" --json "$json")
    case $mode in
        closed) args+=(--connections "$CONNECTIONS") ;;
        closed:*) args+=(--connections "${mode#closed:}") ;;
        *) args+=(--connections "$CONNECTIONS" --rate "$mode") ;;
    esac
    # shellcheck disable=SC2046
    child $(pin 1) "$ROOT/bin/loadgen" "${args[@]}" > "$OUT/${mode/:/-}.log" 2>&1
    wait "$!" || echo "open-loop: loadgen $mode exited non-zero (see $OUT/${mode/:/-}.log)" >&2
    msgs=$(field "$json" msgs_per_s); cpu=$(field "$json" cpu_pct 1)
    us=$(awk -v c="$cpu" -v m="$msgs" 'BEGIN { if (m > 0) printf "%.2f", c / 100 / m * 1e6; else print "-" }')
    printf '%-14s %10s %9s %11s %13s %15s %14s %13s\n' "$mode" "$msgs" "$cpu" "$us" \
        "$(field "$json" corrected/p50_us)" "$(field "$json" p50_us)" \
        "$(field "$json" send_lateness/p50_us)" "$(field "$json" send_lateness/p99_us)"
done
