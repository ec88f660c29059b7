#!/usr/bin/env bash
# Efficiency benchmark (not a test): how many msgs/s our load generator drives through the C
# reference server ref-echo, compared with the C reference load generator ref-load in the same run.
#
#   bench/loadgen-vs-ref.sh                  # 3 pairs, 500 connections, 10 s after 3 s warm-up
#   PAIRS=5 CONNS=500 DURATION=10 WARMUP=3 bench/loadgen-vs-ref.sh
#   CONNS=5000 bench/loadgen-vs-ref.sh; DEPTH=16 bench/loadgen-vs-ref.sh   # the other two cases
#
# The server is pinned to CPU 0 and every load generator to CPU 1 (taskset), one run at a time,
# alternating: ref-load, nio, platform, virtual; then the next pair. Each driver's ratios are ours
# over ref-load's of the same pair, for msgs/s and for the latency percentiles p50, p99 and p99.9
# (a load generator whose own loop adds to the tail shows there); the medians over the pairs are
# printed. DEPTH is messages in flight per connection (ref-load -p, our --pipeline).
# The reference kit (not part of this repository) is read from the folder ECHOLAB_REF_BENCH (or
# BENCH) names; it is compiled into target/bench-loadgen/, where all logs and JSON land too.
# All traffic goes to 127.0.0.1; every run is bounded in time; the server is stopped by its PID.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../bin/env.sh"

REF=${ECHOLAB_REF_BENCH:-${BENCH:-}}
PAIRS=${PAIRS:-3}
CONNS=${CONNS:-500}
DEPTH=${DEPTH:-1}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
PORT=${PORT:-9190}
DRIVERS=${DRIVERS:-nio platform virtual}
OUT=$ECHOLAB_HOME/target/bench-loadgen
JAR=$ECHOLAB_HOME/loadgen/target/echolab-loadgen.jar

die() { echo "loadgen-vs-ref: $*" >&2; exit 1; }
[ -f "$REF/ref-echo.c" ] && [ -f "$REF/ref-load.c" ] || die "reference kit not found${REF:+ in $REF}: set ECHOLAB_REF_BENCH to its folder"
command -v gcc > /dev/null || die "gcc is needed to build the reference kit"
command -v taskset > /dev/null || die "taskset (util-linux) is needed to pin the processes"
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: one for the server, one for the load generator"
mkdir -p "$OUT"
gcc -O2 -Wall -Wextra -o "$OUT/ref-echo" "$REF/ref-echo.c" -pthread
gcc -O2 -Wall -Wextra -o "$OUT/ref-load" "$REF/ref-load.c" -pthread
echolab_ensure_jar "$JAR"

SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2> /dev/null || true
        wait "$SERVER_PID" 2> /dev/null || true
        SERVER_PID=
    fi
}
. "$ECHOLAB_HOME/bin/children.sh"
trap 'stop_server; stop_children' EXIT

child taskset -c 0 "$OUT/ref-echo" "$PORT" > "$OUT/ref-echo.log" 2>&1
SERVER_PID=$!
for _ in $(seq 50); do
    (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && break
    sleep 0.1
done
kill -0 "$SERVER_PID" 2> /dev/null || die "ref-echo did not start (port $PORT in use?)"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# "MSGS_PER_S CPU_US_PER_MSG P50 P99 P999" of a JSON result (top-level keys: p50_us also appears
# nested, under connect and corrected).
figures() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
def f(k):
    v = d.get(k)
    return "n/a" if v is None else str(round(v)) if isinstance(v, float) else str(v)
m, c = d.get("msgs_per_s") or 0, d.get("cpu_pct")
cpu = "n/a" if not m or c is None else "%.3f" % (c / 100 / m * 1e6)
print(f("msgs_per_s"), cpu, f("p50_us"), f("p99_us"), f("p999_us"))' "$1" 2> /dev/null || echo "n/a n/a n/a n/a n/a"
}

# Sets RESULT to the figures of one ref-load run. (Not printed for $(...): a
# command substitution is a subshell, and a child started there would not be this script's.)
run_ref() {
    local log=$OUT/ref-load-$1.log
    child taskset -c 1 timeout $((DURATION + WARMUP + 60)) "$OUT/ref-load" -c "$CONNS" -p "$DEPTH" -d "$DURATION" -w "$WARMUP" \
        -S "$SERVER_PID" -L "ref-load:$1" "127.0.0.1:$PORT" > "$log" 2>&1
    wait "$!" || echo "ref-load pair $1 exited non-zero (see $log)" >&2
    grep '^{' "$log" | tail -n 1 > "$OUT/ref-load-$1.json"
    RESULT=$(figures "$OUT/ref-load-$1.json")
}

# Sets RESULT to the figures of one run of our load generator with driver $1.
run_ours() {
    local json=$OUT/$1-$2.json
    child taskset -c 1 timeout $((DURATION + WARMUP + 60)) "$JAVA" "${JAVA_OPTS[@]}" -jar "$JAR" --port "$PORT" \
        --connections "$CONNS" --pipeline "$DEPTH" --duration "${DURATION}s" --warmup "${WARMUP}s" --driver "$1" --json "$json" \
        > "$OUT/$1-$2.log" 2>&1
    wait "$!" || echo "loadgen --driver $1 pair $2 exited non-zero (see $OUT/$1-$2.log)" >&2
    RESULT=$(figures "$json")
}

echo "loadgen-vs-ref: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)),"
echo "  $("$JAVA" -version 2>&1 | head -n 1), ref-echo on CPU 0, load generators on CPU 1,"
echo "  $CONNS connections, depth $DEPTH, ${DURATION} s measured after ${WARMUP} s warm-up, $PAIRS pairs"
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
