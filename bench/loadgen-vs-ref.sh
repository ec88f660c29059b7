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
# (a load generator whose own loop adds to the tail shows there); the medians over the pairs are
# printed. DEPTH is messages in flight per connection (ref-load -p, our --pipeline).
# The reference kit (not part of this repository) is read from the folder BENCH (or
# ECHOLAB_REF_BENCH) names; it is compiled into target/bench-loadgen/, where all logs and JSON land too.
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

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# "MSGS_PER_S CPU_US_PER_MSG P50 P99 P999" of a JSON result: ref-load's and bin/loadgen's share
# these top-level keys (p50_us also appears nested, under connect and corrected).
figures() {
    jq -r 'def n: if . == null then "n/a" else round end;
        [(.msgs_per_s | n), (if (.msgs_per_s // 0) > 0 and .cpu_pct != null then "\(.cpu_pct / 100 / .msgs_per_s * 1e6 * 1000 | round / 1000)" else "n/a" end),
         (.p50_us | n), (.p99_us | n), (.p999_us | n)] | join(" ")' "$1" 2> /dev/null || echo "n/a n/a n/a n/a n/a"
}

# Sets RESULT to the figures of one ref-load run.
run_ref() {
    local log=$OUT/ref-load-$1.log
    # shellcheck disable=SC2046
    run $(on "$LOAD_CPU") timeout "$bound" "$OUT/ref-load" -c "$CONNS" -p "$DEPTH" -d "$duration_s" -w "$warmup_s" \
        -S "$SERVER_PID" -L "ref-load:$1" "127.0.0.1:$SERVER_PORT" > "$log" 2>&1 \
        || echo "ref-load pair $1 exited non-zero (see $log)" >&2
    grep '^{' "$log" | tail -n 1 > "$OUT/ref-load-$1.json"
    RESULT=$(figures "$OUT/ref-load-$1.json")
}

# Sets RESULT to the figures of one run of our load generator with driver $1.
run_ours() {
    local json=$OUT/$1-$2.json
    # shellcheck disable=SC2046
    run $(on "$LOAD_CPU") timeout "$bound" "$ROOT/bin/loadgen" --port "$SERVER_PORT" \
        --connections "$CONNS" --pipeline "$DEPTH" --duration "$DURATION" --warmup "$WARMUP" --driver "$1" --json "$json" \
        > "$OUT/$1-$2.log" 2>&1 || echo "loadgen --driver $1 pair $2 exited non-zero (see $OUT/$1-$2.log)" >&2
    RESULT=$(figures "$json")
}

echo "loadgen-vs-ref: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)),"
echo "  $("$JAVA" -version 2>&1 | head -n 1), ref-echo on CPU 0, load generators on CPU 1,"
echo "  $CONNS connections, depth $DEPTH, $DURATION measured after $WARMUP warm-up, $PAIRS pairs"
: > "$OUT/ratios.txt"
echo "  per run: msgs/s, load generator CPU us per message, latency p50/p99/p99.9 us;"
echo "  per driver also its ratios to ref-load in the same pair: msgs/s, p50, p99, p99.9, CPU per message"
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
for pair in $(seq "$PAIRS"); do
    run_ref "$pair"
    read -r ref ref_cpu ref50 ref99 ref999 <<< "$RESULT"
    echo "pair $pair: ref-load ${ref:-?} msgs/s (${ref_cpu:-?} us), ${ref50:-?}/${ref99:-?}/${ref999:-?} us"
    for driver in $DRIVERS; do
        run_ours "$driver" "$pair"
        read -r ours ours_cpu o50 o99 o999 <<< "$RESULT"
        r=$(ratio "$ours" "$ref") r50=$(ratio "$o50" "$ref50") r99=$(ratio "$o99" "$ref99") r999=$(ratio "$o999" "$ref999")
        rcpu=$(ratio "$ours_cpu" "$ref_cpu")
        echo "$driver $r $r50 $r99 $r999 $rcpu" >> "$OUT/ratios.txt"
        echo "        $driver ${ours:-?} msgs/s (${ours_cpu:-?} us), ${o50:-?}/${o99:-?}/${o999:-?} us; ratios $r, $r50/$r99/$r999, CPU/msg $rcpu"
    done
done
for driver in $DRIVERS; do
    line="median ratios $driver / ref-load:"
    for col in 2 3 4 5 6; do
        m=$(awk -v d="$driver" -v c="$col" '$1 == d && $c != "n/a" { print $c }' "$OUT/ratios.txt" | median)
        line="$line $(echo "msgs/s p50 p99 p99.9 CPU/msg" | cut -d' ' -f$((col - 1))) $m"
    done
    echo "$line"
done
echo "logs and JSON: $OUT"
