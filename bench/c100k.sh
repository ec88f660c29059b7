#!/usr/bin/env bash
# c100k.sh: 100,000 live connections on one machine, every echo checked.
#
#   bench/c100k.sh [--tune] BACKEND       e.g. nio:2 (--threads 2), netty, virtual, blocking
#
# 1. Checks the system settings the run needs (listen and SYN queues, descriptors, threads and
#    memory maps for the blocking backends) and says what to change. It changes nothing unless
#    --tune is given, and then prints every change (sysctl -w) it makes. It runs either way: a
#    setting that is too low is a finding too.
# 2. Starts bin/server --processes SERVER_PROCESSES (SO_REUSEPORT; a process may hold only ~20,000
#    descriptors here) on 127.0.0.1, and samples the whole process tree from /proc once a second:
#    RSS, threads, CPU time, and the kernel's socket memory (/proc/net/sockstat).
# 3. Runs bin/loadgen --driver nio --processes LOADGEN_PROCESSES --source 127.0.0.1-127.0.0.K
#    (one address reaches one port with at most the ~28,000 ephemeral ports): CONNECTIONS opened at
#    CONNECT_RATE per second, then the open loop at RATE msgs/s in all (100,000 connections at
#    50,000 msgs/s: one message per connection every 2 s), WARMUP (its first RAMP rising from 0 to
#    RATE: --ramp) then DURATION, every echo verified.
# 4. Stops everything it started by PID and prints one summary (also OUT/BACKEND.txt): connect
#    time, latency, errors by kind, the server's RSS (and per connection: RSS under load less RSS
#    when idle, over the connections up), threads, CPU, socket memory, how busy the machine's cores
#    were while measuring (/proc/stat: both sides share them), and the targets.
#
# Loopback only. Bounded: the load generator's own limits plus a minute; nothing outlives the script.
# Environment: CONNECTIONS [100000]  RATE [CONNECTIONS/2]  DURATION [60s]  WARMUP [30s]  RAMP [2/3 of WARMUP, at most 20s]  TIMEOUT [5s: --timeout]
#   CONNECT_RATE [10000]  SERVER_PROCESSES, LOADGEN_PROCESSES [ceil(CONNECTIONS / 18,000), at least 1]
#   SOURCES [ceil(CONNECTIONS / 8,000) addresses]  SOURCE_BASE [127.R.0: R changes every 30 s]
#   SERVER_OPTS [extra bin/server options]  OUT [target/c100k]
#
# Why 8,000 connections per source address, when an address has ~28,000 ports: bind(address, 0)
# takes ports of one parity first, so past half the range (~14,000) every bind scans that whole
# half before it finds a port, and the connect phase turns quadratic (100,000 connections over 5
# addresses took minutes and burnt both cores in the kernel). And why fresh addresses each run: the
# previous run's ports stay in TIME_WAIT for 60 s, and bind does not reuse them.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bin/env.sh"
. "$ROOT/bench/lib-server.sh"

TUNE=0
[ "${1:-}" = "--tune" ] && { TUNE=1; shift; }
[ $# -eq 1 ] || { echo "usage: bench/c100k.sh [--tune] BACKEND   (e.g. nio:2, netty, virtual, blocking)" >&2; exit 2; }
CASE=$1
CONNECTIONS=${CONNECTIONS:-100000}
[[ $CONNECTIONS =~ ^[0-9]+$ ]] && [ "$CONNECTIONS" -ge 1 ] || { echo "CONNECTIONS must be a whole number >= 1" >&2; exit 2; }
RATE=${RATE:-$(( CONNECTIONS / 2 ))}
DURATION=${DURATION:-60s}
WARMUP=${WARMUP:-30s}
# The duration grammar of bin/loadgen (500ms, 1.5s, 2m) in whole milliseconds, to check RAMP <= WARMUP
# before anything starts (bin/loadgen would refuse it only after the servers were up).
millis() {
    awk -v d="$1" 'BEGIN { if (d ~ /^[0-9]+(\.[0-9]+)?ms$/) print int(d); else if (d ~ /^[0-9]+(\.[0-9]+)?s$/) print int(d * 1000);
        else if (d ~ /^[0-9]+(\.[0-9]+)?m$/) print int(d * 60000); else print -1 }'
}
warmup_ms=$(millis "$WARMUP")
[ "$warmup_ms" -ge 0 ] || { echo "WARMUP must be a duration such as 30s, 500ms or 1m" >&2; exit 2; }
ramp_default=$(( warmup_ms * 2 / 3 < 20000 ? warmup_ms * 2 / 3 : 20000 ))
RAMP=${RAMP:-${ramp_default}ms}
ramp_ms=$(millis "$RAMP")
[ "$ramp_ms" -ge 0 ] && [ "$ramp_ms" -le "$warmup_ms" ] || { echo "RAMP must be a duration no longer than WARMUP ($WARMUP)" >&2; exit 2; }
TIMEOUT=${TIMEOUT:-5s}
CONNECT_RATE=${CONNECT_RATE:-10000}
# As few processes as the ~20,000 descriptors per process allow, with room for the JVM's own: each
# JVM more is JIT, GC and threads on the same 2 cores (6 a side instead of 7 at 100,000: nio's p99
# 105-108 ms against 136-506, docs/reliability.md).
per=$(( (CONNECTIONS + 17999) / 18000 ))
SERVER_PROCESSES=${SERVER_PROCESSES:-$per}
LOADGEN_PROCESSES=${LOADGEN_PROCESSES:-$per}
SOURCES=${SOURCES:-$(( (CONNECTIONS + 7999) / 8000 ))}
SOURCE_BASE=${SOURCE_BASE:-127.$(( $(date +%s) / 30 % 254 + 1 )).0}
[ "$SOURCES" -le 254 ] || { echo "SOURCES must be at most 254" >&2; exit 2; }
SERVER_OPTS=${SERVER_OPTS:-}
OUT=${OUT:-$ROOT/target/c100k}
mkdir -p "$OUT"
name=${CASE//:/-}
id=${CASE%%:*}
echolab_ensure_jar "$ROOT/server/target/echolab-server.jar"
echolab_ensure_jar "$ROOT/loadgen/target/echolab-loadgen.jar"

# --- 1. settings -----------------------------------------------------------------------------
# need NAME MINIMUM WHY: says whether the sysctl NAME is at least MINIMUM; with --tune raises it.
short=0
need() {
    local key=$1 min=$2 why=$3 file="/proc/sys/${1//.//}" value
    value=$(awk '{print $1}' "$file" 2>/dev/null) || { echo "  ?  $key: not readable here ($why)"; return; }
    if [ "$value" -ge "$min" ]; then
        echo "  ok $key = $value (>= $min: $why)"
    elif [ "$TUNE" = 1 ]; then
        sysctl -q -w "$key=$min" && echo "  CHANGED $key from $value to $min ($why)" \
            || { echo "  LOW $key = $value, could not raise it to $min ($why)"; short=1; }
    else
        echo "  LOW $key = $value: needs >= $min ($why); change: sysctl -w $key=$min (or run with --tune)"
        short=1
    fi
}
per_server=$(( (CONNECTIONS + SERVER_PROCESSES - 1) / SERVER_PROCESSES ))
per_loadgen=$(( (CONNECTIONS + LOADGEN_PROCESSES - 1) / LOADGEN_PROCESSES ))
echo "c100k $CASE: $CONNECTIONS connections, $SERVER_PROCESSES server and $LOADGEN_PROCESSES load-generator processes, $SOURCES source addresses"
echo "settings:"
need net.core.somaxconn 4096 "each server process listens with a backlog of 4096; the kernel caps it here"
need net.ipv4.tcp_max_syn_backlog $(( 128 * LOADGEN_PROCESSES )) "handshakes in flight: 128 per load-generator process"
need fs.file-max $(( 2 * CONNECTIONS + 10000 )) "every connection is two descriptors on this machine, one per side"
need fs.nr_open $(( per_server > per_loadgen ? per_server + 200 : per_loadgen + 200 )) "descriptors one process may be allowed"
nofile=$(ulimit -n)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt $(( (per_server > per_loadgen ? per_server : per_loadgen) + 200 )) ]; then
    echo "  LOW open files per process (ulimit -n) = $nofile: $per_server connections per server process, $per_loadgen per load-generator process; use more processes"
    short=1
else
    echo "  ok open files per process (ulimit -n) = $nofile ($per_server connections per server process, $per_loadgen per load generator)"
fi
if [ -r /proc/sys/net/netfilter/nf_conntrack_max ]; then
    need net.netfilter.nf_conntrack_max $(( CONNECTIONS + 10000 )) "connection tracking is loaded: one entry per connection"
fi
if [ "$id" = blocking ] || [ "$id" = pool ]; then
    need kernel.pid_max $(( CONNECTIONS + 20000 )) "a platform thread per connection: every thread takes a PID"
    need kernel.threads-max $(( CONNECTIONS + 20000 )) "a platform thread per connection"
    need vm.max_map_count $(( 2 * per_server + 10000 )) "each thread's stack and guard page are memory maps of its process"
fi
[ "$short" = 1 ] && echo "  (running anyway: what breaks first is part of the result)"
# A platform thread per connection past kernel.pid_max does not fail in the server alone: the whole
# machine runs out of PIDs, and no process on it can fork or start a thread (tried 2026-12-02: this
# script's own sampler could not fork, nor could anything else, and bash gives up the loop that
# cannot fork). So unless pid_max has room, or SERVER_OPTS sets its own cap, the blocking servers
# get --max-connections to fit what is free, and the connections past it are closed right after
# accept: where this model stops on this machine.
if [ "$id" = blocking ] && [[ " $SERVER_OPTS " != *" --max-connections"[=\ ]* ]]; then
    pid_max=$(cat /proc/sys/kernel/pid_max)
    read -r _ _ _ runnable_total _ < /proc/loadavg
    tasks=${runnable_total#*/}    # every thread on the machine (the 4th field of loadavg: runnable/all)
    reserve=2000     # the load generators' and the servers' own JVM threads, and the rest of the machine
    room=$(( pid_max - tasks - reserve ))
    if [ "$room" -lt "$CONNECTIONS" ]; then
        cap=$(( room / SERVER_PROCESSES ))
        [ "$cap" -ge 1 ] || { echo "kernel.pid_max = $pid_max leaves no room for threads ($tasks tasks running)" >&2; exit 1; }
        SERVER_OPTS="$SERVER_OPTS --max-connections $cap"
        echo "  CAP kernel.pid_max = $pid_max, $tasks tasks running, $reserve kept for everything else: room for $room threads;"
        echo "      each server process gets --max-connections $cap ($(( cap * SERVER_PROCESSES )) of $CONNECTIONS connections), the rest are closed at accept"
    fi
fi

# --- 2. server -------------------------------------------------------------------------------
tree() {   # the server's PID and its descendants
    local p=$1 c
    echo "$p"
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree "$c"; done
}
sample() {  # epoch_ms rss_kib threads cpu_ticks sock_mem_pages tcp_inuse machine_busy_ticks machine_all_ticks steal_ticks
    local rss=0 thr=0 cpu=0 p
    for p in $(tree "$SERVER_PID"); do
        rss=$(( rss + $(rss_kib "$p") )); thr=$(( thr + $(threads "$p") )); cpu=$(( cpu + $(cpu_ticks "$p") ))
    done
    local sock _ us ni sy id io irq si st
    sock=$(awk '/^TCP:/ {print $NF, $3}' /proc/net/sockstat)
    read -r _ us ni sy id io irq si st _ < /proc/stat    # the machine's "cpu" line: every core, every process
    echo "$(date +%s%3N) $rss $thr $cpu $sock $(( us + ni + sy + irq + si + st )) $(( us + ni + sy + id + io + irq + si + st )) $st"
}

# shellcheck disable=SC2046,SC2086
child "$ROOT/bin/server" $(case_args "$CASE") --processes "$SERVER_PROCESSES" --host 127.0.0.1 --port 0 $SERVER_OPTS \
    > "$OUT/$name.server.log" 2>&1
SERVER_PID=$!
SERVER_PORT=""
for _ in $(seq 1 300); do
    SERVER_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$OUT/$name.server.log" | head -n 1)
    [ -n "$SERVER_PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    nap 0.2
done
[ -n "$SERVER_PORT" ] || { echo "server $CASE did not start; see $OUT/$name.server.log" >&2; tail -n 5 "$OUT/$name.server.log" >&2; exit 1; }
nap 2
idle=$(sample)
echo "server: $(head -n 1 "$OUT/$name.server.log" | cut -c1-160)"
echo "idle: RSS $(( $(echo "$idle" | awk '{print $2}') / 1024 )) MiB, $(echo "$idle" | awk '{print $3}') threads"

# --- 3. load ---------------------------------------------------------------------------------
child "$ROOT/bin/loadgen" --host 127.0.0.1 --port "$SERVER_PORT" --driver nio --processes "$LOADGEN_PROCESSES" \
 --source "$SOURCE_BASE.1-$SOURCE_BASE.$SOURCES" --connections "$CONNECTIONS" --connect-rate "$CONNECT_RATE" \
     --rate "$RATE" --ramp "$RAMP" --warmup "$WARMUP" --timeout "$TIMEOUT" --duration "$DURATION" --json "$OUT/$name.json" > "$OUT/$name.loadgen.log" 2>&1
LOAD_PID=$!
: > "$OUT/$name.samples"
shown=0
while kill -0 "$LOAD_PID" 2>/dev/null; do
    sample >> "$OUT/$name.samples"
    lines=$(wc -l < "$OUT/$name.loadgen.log")
    if [ "$lines" -gt "$shown" ]; then
        sed -n "$(( shown + 1 )),${lines}p" "$OUT/$name.loadgen.log" | grep -E '^\[|^loadgen' | cut -c1-200
        shown=$lines
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server has ended; see $OUT/$name.server.log"; break; }
    nap 1
done
wait "$LOAD_PID"; load_status=$?
sed -n "$(( shown + 1 )),\$p" "$OUT/$name.loadgen.log" | grep -E '^\[' | cut -c1-200
stats=$(stats_line "$OUT/$name.server.log")
server_alive=yes
kill -0 "$SERVER_PID" 2>/dev/null || server_alive=no
stop_server

# --- 4. summary ------------------------------------------------------------------------------
{
echo "== c100k $CASE: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: CONNECTIONS=$CONNECTIONS RATE=$RATE DURATION=$DURATION WARMUP=$WARMUP RAMP=$RAMP TIMEOUT=$TIMEOUT CONNECT_RATE=$CONNECT_RATE" \
    "SERVER_PROCESSES=$SERVER_PROCESSES LOADGEN_PROCESSES=$LOADGEN_PROCESSES SOURCES=$SOURCES SOURCE_BASE=$SOURCE_BASE bench/c100k.sh $CASE"
if [ ! -s "$OUT/$name.json" ]; then
    echo "no result: the load generator exited with status $load_status"
    grep -v '^\[' "$OUT/$name.loadgen.log" | tail -n 8
else
    j() { jq -r "$1" "$OUT/$name.json"; }
    start=$(j .measure_start_epoch_ms) end=$(j .measure_end_epoch_ms) up=$(j .connections)
    echo "connections: $up of $CONNECTIONS up in $(j .connect_s) s (per connection p99 $(j .connect.p99_us) us, max $(j .connect.max_us) us)"
    echo "messages: $(j .msgs) in $(j .duration_s) s = $(j .msgs_per_s) msgs/s (asked: $RATE); per connection min $(j .fairness.min_msgs), median $(j .fairness.median_msgs), max $(j .fairness.max_msgs); no reply at all: $(j .fairness.no_reply)"
    echo "latency us (corrected, from the intended send): p50 $(j .corrected.p50_us), p99 $(j .corrected.p99_us), p99.9 $(j .corrected.p999_us), max $(j .corrected.max_us)"
    echo "latency us (uncorrected, from the actual send): p50 $(j .p50_us), p99 $(j .p99_us), p99.9 $(j .p999_us), max $(j .max_us); send lateness p99 $(j .send_lateness.p99_us) us"
    echo "errors: $(j '.errors_by_kind | to_entries | map("\(.key) \(.value)") | join(", ")')"
    j '.first_errors | to_entries[] | "  first \(.key): \(.value)"'
    echo "load generator: $(j .cpu.pct_of_one_core)% of one core in all"
    awk -v s="$start" -v e="$end" -v idle="$idle" -v up="$up" -v hz="$(getconf CLK_TCK)" -v cores="$(nproc)" '
        BEGIN { split(idle, i, " ") }
        $1 >= s && $1 <= e { if (!t0) { t0 = $1; c0 = $4; b0 = $7; a0 = $8; st0 = $9 } t1 = $1; c1 = $4; b1 = $7; a1 = $8; st1 = $9
                             n++; rss += $2; if ($2 > rmax) rmax = $2; if ($3 > thr) thr = $3; if ($5 > mem) mem = $5 }
        END {
            if (n == 0) { print "server: no sample inside the measured interval"; exit }
            cpu = (t1 > t0) ? (c1 - c0) / hz / ((t1 - t0) / 1000) * 100 : 0
            printf "server: RSS %.0f MiB (idle %.0f MiB; max %.0f), %.1f KiB per connection above idle, %.1f KiB in all; threads %d; CPU %.0f%% of one core\n",
                rss / n / 1024, i[2] / 1024, rmax / 1024, (rss / n - i[2]) / (up > 0 ? up : 1), rss / n / (up > 0 ? up : 1), thr, cpu
            printf "kernel: TCP socket memory %.0f KiB (sockstat mem, max in the interval), %.2f KiB per connection\n", mem * 4, mem * 4 / (up > 0 ? up : 1)
            if (a1 > a0)   # near 100%, a p99 says how loaded the machine was as much as how fast the server is
                printf "machine: %.0f%% of its %d cores busy in the measured interval (steal %.0f%%), server and load generators together\n",
                    (b1 - b0) / (a1 - a0) * 100, cores, (st1 - st0) / (a1 - a0) * 100
        }' "$OUT/$name.samples"
    echo "server stats: $stats"
    [ "$server_alive" = yes ] || echo "server: ENDED before the load generator"
    p99=$(j .corrected.p99_us) errs=$(j .errors) mism=$(j .mismatches) noreply=$(j .fairness.no_reply) minmsg=$(j .fairness.min_msgs)
    verdict="met"
    [ "$up" -eq "$CONNECTIONS" ] && [ "$errs" -eq 0 ] && [ "$mism" -eq 0 ] && [ "$noreply" -eq 0 ] && [ "$minmsg" -ge 1 ] \
        && [ "$p99" -lt 100000 ] || verdict="NOT met"
    echo "target ($CONNECTIONS up, 0 errors, 0 mismatches, every connection answered, corrected p99 < 100 ms): $verdict"
fi
echo "load generator exit status $load_status; logs in $OUT/$name.*"
} | tee "$OUT/$name.txt"
[ "$load_status" -eq 0 ]
