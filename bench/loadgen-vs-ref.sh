#!/usr/bin/env bash
# Efficiency benchmark (not a test): how many msgs/s our load generator drives through the C
# reference server ref-echo, compared with the C reference load generator ref-load in the same run.
#
#   bench/loadgen-vs-ref.sh                  # 3 pairs, 500 connections, 10 s after 3 s warm-up
#   PAIRS=5 CONNS=500 DURATION=10s WARMUP=3s bench/loadgen-vs-ref.sh
#   CONNS=5000 bench/loadgen-vs-ref.sh; DEPTH=16 bench/loadgen-vs-ref.sh   # the other two cases
#
# The server is pinned to CPU 0 and every load generator to CPU 1 (taskset), one run at a time,
# alternating: ref-load, nio, platform, virtual; then the next pair. Each driver's ratios are ours
# over ref-load's of the same pair, for msgs/s and for the latency percentiles p50, p99 and p99.9
# (a load generator whose own loop adds to the tail shows there), and CPU per message; the medians
# over the pairs are printed by bin/lab probe loadgen-table from OUT/results.jsonl (the records the
# docs' loadgen-ref view reads too). DEPTH is messages in flight per connection (ref-load -p, our --pipeline).
# The reference kit (not part of this repository) is read from the folder BENCH (or
# ECHOLAB_REF_BENCH) names; it is compiled into target/bench-loadgen/, where all logs, JSON and
# results.jsonl land too.
# All traffic goes to 127.0.0.1; every run is bounded in time; the server is stopped by its PID.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

PAIRS=${PAIRS:-3}
CONNS=${CONNS:-500}
DEPTH=${DEPTH:-1}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
DRIVERS=${DRIVERS:-nio platform virtual}
OUT=$ROOT/target/bench-loadgen

require_kit
command -v taskset > /dev/null || die "taskset (util-linux) is needed to pin the processes"
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: one for the server, one for the load generator"
seconds DURATION "$DURATION"; duration_s=$REPLY
seconds WARMUP "$WARMUP"; warmup_s=$REPLY
# Every run is bounded: its own time and a minute more.
bound=$(( ${duration_s%.*} + ${warmup_s%.*} + 61 ))
mkdir -p "$OUT"
build_c ref-echo ref-echo.c || die "gcc ref-echo failed"
build_c ref-load ref-load.c || die "gcc ref-load failed"
start_server ref-echo "$OUT/ref-echo.log" || exit 1


# "MSGS_PER_S CPU_US_PER_MSG P50 P99 P999" of a JSON result: ref-load's and bin/loadgen's share
# these top-level keys (p50_us also appears nested, under connect and corrected).
figures() {
    jq -r 'def n: if . == null then "n/a" else round end;
        [(.msgs_per_s | n), (if (.msgs_per_s // 0) > 0 and .cpu_pct != null then "\(.cpu_pct / 100 / .msgs_per_s * 1e6 * 1000 | round / 1000)" else "n/a" end),
         (.p50_us | n), (.p99_us | n), (.p999_us | n)] | join(" ")' "$1" 2> /dev/null || echo "n/a n/a n/a n/a n/a"
}

# Appends one run's record to RESULTS: its driver, pair, the load average and the load generator's
# JSON (bin/lab probe loadgen-table, LoadgenComparison, reads them).
record() { # driver pair json-file
    local result
    result=$(cat "$3" 2> /dev/null); [ -n "$result" ] || result='{"failed":true}'
    echo "{\"driver\":\"$1\",\"pair\":\"$2\",\"load1\":$(cut -d' ' -f1 /proc/loadavg),\"result\":$result}" >> "$RESULTS"
}

# Sets RESULT to the figures of one ref-load run.
run_ref() {
    local log=$OUT/ref-load-$1.log
    # shellcheck disable=SC2046
    run $(on "$LOAD_CPU") timeout "$bound" "$OUT/ref-load" -c "$CONNS" -p "$DEPTH" -d "$duration_s" -w "$warmup_s" \
        -S "$SERVER_PID" -L "ref-load:$1" "127.0.0.1:$SERVER_PORT" > "$log" 2>&1 \
        || echo "ref-load pair $1 exited non-zero (see $log)" >&2
    grep '^{' "$log" | tail -n 1 > "$OUT/ref-load-$1.json"
    record ref-load "$1" "$OUT/ref-load-$1.json"
    RESULT=$(figures "$OUT/ref-load-$1.json")
}

# Sets RESULT to the figures of one run of our load generator with driver $1.
run_ours() {
    local json=$OUT/$1-$2.json
    # shellcheck disable=SC2046
    run $(on "$LOAD_CPU") timeout "$bound" "$ROOT/bin/loadgen" --port "$SERVER_PORT" \
        --connections "$CONNS" --pipeline "$DEPTH" --duration "$DURATION" --warmup "$WARMUP" --driver "$1" --json "$json" \
        > "$OUT/$1-$2.log" 2>&1 || echo "loadgen --driver $1 pair $2 exited non-zero (see $OUT/$1-$2.log)" >&2
    record "$1" "$2" "$json"
    RESULT=$(figures "$json")
}

RESULTS=$OUT/results.jsonl
command_line=$(for v in PAIRS CONNS DEPTH DURATION WARMUP DRIVERS; do printf "%s='%s' " "$v" "${!v-}"; done)
jq -cn --arg command "${command_line}bench/loadgen-vs-ref.sh" --arg date "$(date -u +%FT%TZ)" \
    --arg commit "$(git -C "$ROOT" describe --always --dirty 2> /dev/null || echo unknown)" \
    --arg machine "$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), Linux $(uname -r), $("$JAVA" -version 2>&1 | head -1)" \
    '{run: {command: $command, date: $date, commit: $commit, machine: $machine}}' > "$RESULTS"
echo "loadgen-vs-ref: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)),"
echo "  $("$JAVA" -version 2>&1 | head -n 1), ref-echo on CPU 0, load generators on CPU 1,"
echo "  $CONNS connections, depth $DEPTH, $DURATION measured after $WARMUP warm-up, $PAIRS pairs"
echo "  per run: msgs/s, load generator CPU us per message, latency p50/p99/p99.9 us;"
echo "  then each driver's ratios to ref-load within a pair (bin/lab probe loadgen-table)"
for pair in $(seq "$PAIRS"); do
    run_ref "$pair"
    read -r ref ref_cpu ref50 ref99 ref999 <<< "$RESULT"
    echo "pair $pair: ref-load ${ref:-?} msgs/s (${ref_cpu:-?} us), ${ref50:-?}/${ref99:-?}/${ref999:-?} us"
    for driver in $DRIVERS; do
        run_ours "$driver" "$pair"
        read -r ours ours_cpu o50 o99 o999 <<< "$RESULT"
        echo "        $driver ${ours:-?} msgs/s (${ours_cpu:-?} us), ${o50:-?}/${o99:-?}/${o999:-?} us"
    done
done
echo
"$ROOT/bin/lab" probe loadgen-table "$RESULTS"
echo "logs and JSON: $OUT"
