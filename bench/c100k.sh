#!/usr/bin/env bash
# c100k.sh: 100,000 live connections on one machine, every echo checked.
#
#   bench/c100k.sh [--tune] CASE       e.g. nio:2 (--threads 2), netty, virtual, blocking
#
# 1. Checks the system settings the run needs (listen and SYN queues, descriptors; and threads
#    and memory maps when the server turns out to start a platform thread per connection: a
#    server of the case alone is given 300 silent connections and its threads counted) and says
#    what to change. It changes nothing unless --tune is given, and then prints every change
#    (sysctl -w) it makes. It runs either way: a setting that is too low is a finding too.
# 2. Starts bin/server --processes SERVER_PROCESSES (SO_REUSEPORT; a process holds as many
#    connections as its open-file limit allows: bin/lab probe processes) on 127.0.0.1, and samples
#    the whole process tree from /proc once a second (bin/lab probe sample): RSS, threads, CPU
#    time, and the kernel's TCP socket memory.
# 3. Runs bin/loadgen --driver nio --processes LOADGEN_PROCESSES --source 127.0.0.1-127.0.0.K
#    (one address reaches one port with at most the ~28,000 ephemeral ports): CONNECTIONS opened at
#    CONNECT_RATE per second, then the open loop at RATE msgs/s in all (100,000 connections at
#    50,000 msgs/s: one message per connection every 2 s), WARMUP (its first RAMP rising from 0 to
#    RATE: --ramp) then DURATION, every echo verified.
# 4. Stops everything it started by PID and prints one summary (also OUT/CASE.txt): connect
#    time, latency, errors by kind, the server's RSS (and per connection: RSS under load less RSS
#    when idle, over the connections up), threads, CPU, socket memory, how busy the machine's cores
#    were while measuring (/proc/stat: both sides share them), and the targets.
#
# Loopback only. Bounded: the load generator's own limits plus a minute; nothing outlives the script.
# Environment: CONNECTIONS [100000]  RATE [CONNECTIONS/2]  DURATION [60s]  WARMUP [30s]  RAMP [2/3 of WARMUP, at most 20s]  TIMEOUT [5s: --timeout]
#   CONNECT_RATE [10000]  SERVER_PROCESSES, LOADGEN_PROCESSES [bin/lab probe processes --connections CONNECTIONS]
#   SOURCES [ceil(CONNECTIONS / 8,000) addresses]  SOURCE_BASE [127.R.0: R changes every 30 s]
#   SERVER_OPTS [extra bin/server options]  OUT [target/c100k]
#
# Why 8,000 connections per source address, when an address has ~28,000 ports: bind(address, 0)
# takes ports of one parity first, so past half the range (~14,000) every bind scans that whole
# half before it finds a port, and the connect phase turns quadratic (100,000 connections over 5
# addresses took minutes and burnt both cores in the kernel). And why fresh addresses each run: the
# previous run's ports stay in TIME_WAIT for 60 s, and bind does not reuse them.
set -uo pipefail
# Nothing pinned: the server's processes and the load generator's share every core.
PIN=off
. "$(dirname "$0")/lib.sh"

TUNE=0
[ "${1:-}" = "--tune" ] && { TUNE=1; shift; }
[ $# -eq 1 ] || usage "usage: bench/c100k.sh [--tune] CASE   (e.g. nio:2, netty, virtual, blocking)"
CASE=$1
CONNECTIONS=${CONNECTIONS:-100000}
[[ $CONNECTIONS =~ ^[0-9]+$ ]] && [ "$CONNECTIONS" -ge 1 ] || usage "CONNECTIONS must be a whole number >= 1"
RATE=${RATE:-$(( CONNECTIONS / 2 ))}
DURATION=${DURATION:-60s}
WARMUP=${WARMUP:-30s}
seconds DURATION "$DURATION"
# RAMP is checked against WARMUP here, before anything starts (bin/loadgen would refuse it only
# after the servers were up).
millis WARMUP "$WARMUP"; warmup_ms=$REPLY
ramp_default=$(( warmup_ms * 2 / 3 < 20000 ? warmup_ms * 2 / 3 : 20000 ))
RAMP=${RAMP:-${ramp_default}ms}
millis RAMP "$RAMP"
[ "$REPLY" -le "$warmup_ms" ] || usage "RAMP must be a duration no longer than WARMUP ($WARMUP)"
TIMEOUT=${TIMEOUT:-5s}
seconds TIMEOUT "$TIMEOUT"
CONNECT_RATE=${CONNECT_RATE:-10000}
# As few processes as their open-file limits allow: each JVM more is JIT, GC and threads on the
# same cores (docs/reliability.md, C100K).
processes_for "$CONNECTIONS"; per=$REPLY
SERVER_PROCESSES=${SERVER_PROCESSES:-$per}
LOADGEN_PROCESSES=${LOADGEN_PROCESSES:-$per}
SOURCES=${SOURCES:-$(( (CONNECTIONS + 7999) / 8000 ))}
SOURCE_BASE=${SOURCE_BASE:-127.$(( $(date +%s) / 30 % 254 + 1 )).0}
[ "$SOURCES" -le 254 ] || usage "SOURCES must be at most 254"
SERVER_OPTS=${SERVER_OPTS:-}
OUT=${OUT:-$ROOT/target/c100k}
mkdir -p "$OUT"
name=${CASE//:/-}

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
[ "$short" = 1 ] && echo "  (running anyway: what breaks first is part of the result)"

# Does the server start a platform thread per connection? Measured, not assumed: a server of the
# case alone, PROBE silent connections opened on it (more than a pool's default threads, which
# then stops growing), and its threads counted from /proc before and 2 s after. Virtual threads
# are no OS threads, so they do not count.
PROBE=300
per_connection=0
start_server "$CASE" "$OUT/$name.probe.log" $SERVER_OPTS || exit 1
nap 1
sample_now "$SERVER_PID"; threads_before=$(jq -r .server.threads <<< "$REPLY")
child python3 "$ROOT/bench/idle_clients.py" "$SERVER_PORT" "$PROBE" 30 --silent > "$OUT/$name.probe-clients.log" 2>&1
clients=$!
for _ in $(seq 1 60); do grep -q '^ready' "$OUT/$name.probe-clients.log" && break; nap 0.5; done
nap 2
opened=$(sed -n 's/^ready //p' "$OUT/$name.probe-clients.log")
sample_now "$SERVER_PID"; threads_with=$(jq -r .server.threads <<< "$REPLY")
kill "$clients" 2> /dev/null; wait "$clients" 2> /dev/null; forget "$clients"
stop_server
if [ "${opened:-0}" -gt 0 ] && [ $(( (threads_with - threads_before) * 10 )) -ge $(( opened * 9 )) ]; then
    per_connection=1
fi
echo "threads: $threads_before idle, $threads_with with $opened silent connections:" \
    "$([ "$per_connection" = 1 ] && echo "a platform thread per connection" || echo "not one per connection")"
if [ "$per_connection" = 1 ]; then
    need kernel.pid_max $(( CONNECTIONS + 20000 )) "a platform thread per connection: every thread takes a PID"
    need kernel.threads-max $(( CONNECTIONS + 20000 )) "a platform thread per connection"
    need vm.max_map_count $(( 2 * per_server + 10000 )) "each thread's stack and guard page are memory maps of its process"
fi
# A platform thread per connection past kernel.pid_max does not fail in the server alone: the whole
# machine runs out of PIDs, and no process on it can fork or start a thread, this script's own
# samples included. So unless pid_max has room, or SERVER_OPTS sets its own cap, such a server gets
# --max-connections to fit what is free, and the connections past it are closed right after
# accept: where this model stops on this machine.
if [ "$per_connection" = 1 ] && [[ " $SERVER_OPTS " != *" --max-connections"[=\ ]* ]]; then
    pid_max=$(cat /proc/sys/kernel/pid_max)
    read -r _ _ _ runnable_total _ < /proc/loadavg
    tasks=${runnable_total#*/}    # every thread on the machine (the 4th field of loadavg: runnable/all)
    reserve=2000     # the load generators' and the servers' own JVM threads, and the rest of the machine
    room=$(( pid_max - tasks - reserve ))
    if [ "$room" -lt "$CONNECTIONS" ]; then
        cap=$(( room / SERVER_PROCESSES ))
        [ "$cap" -ge 1 ] || die "kernel.pid_max = $pid_max leaves no room for threads ($tasks tasks running)"
        SERVER_OPTS="$SERVER_OPTS --max-connections $cap"
        echo "  CAP kernel.pid_max = $pid_max, $tasks tasks running, $reserve kept for everything else: room for $room threads;"
        echo "      each server process gets --max-connections $cap ($(( cap * SERVER_PROCESSES )) of $CONNECTIONS connections), the rest are closed at accept"
    fi
fi

# --- 2. server -------------------------------------------------------------------------------
# shellcheck disable=SC2086
start_server "$CASE" "$OUT/$name.server.log" --processes "$SERVER_PROCESSES" $SERVER_OPTS || exit 1
nap 2
sample_now "$SERVER_PID"; idle=$REPLY
echo "server: $(head -n 1 "$OUT/$name.server.log" | cut -c1-160)"
echo "idle: $(jq -r '"RSS \(.server.rss_kib / 1024 | round) MiB, \(.server.threads) threads"' <<< "$idle")"

# --- 3. load ---------------------------------------------------------------------------------
start_loadgen --port "$SERVER_PORT" --driver nio --processes "$LOADGEN_PROCESSES" \
    --source "$SOURCE_BASE.1-$SOURCE_BASE.$SOURCES" --connections "$CONNECTIONS" --connect-rate "$CONNECT_RATE" \
    --rate "$RATE" --ramp "$RAMP" --warmup "$WARMUP" --timeout "$TIMEOUT" --duration "$DURATION" --json "$OUT/$name.json" \
    > "$OUT/$name.loadgen.log" 2>&1
start_sampler "$SERVER_PID" "$OUT/$name.samples.jsonl" 1s
shown=0
while kill -0 "$LOADGEN_PID" 2>/dev/null; do
    lines=$(wc -l < "$OUT/$name.loadgen.log")
    if [ "$lines" -gt "$shown" ]; then
        sed -n "$(( shown + 1 )),${lines}p" "$OUT/$name.loadgen.log" | grep -E '^\[|^loadgen' | cut -c1-200
        shown=$lines
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server has ended; see $OUT/$name.server.log"; break; }
    nap 1
done
wait "$LOADGEN_PID"; load_status=$?
forget "$LOADGEN_PID"
stop_sampler
sed -n "$(( shown + 1 )),\$p" "$OUT/$name.loadgen.log" | grep -E '^\[' | cut -c1-200
stats_line "$OUT/$name.server.log"; stats=$REPLY
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
    # The samples inside the measured interval: the server's means and peaks, its CPU and the
    # machine's over the interval (near 100% busy, a p99 says how loaded the machine was as much as
    # how fast the server is).
    jq -rs --argjson s "$start" --argjson e "$end" --argjson idle "$idle" --argjson up "$up" --argjson cores "$(nproc)" '
        map(select(.epoch_ms >= $s and .epoch_ms <= $e)) as $in | ($in | length) as $n
        | if $n == 0 then "server: no sample inside the measured interval" else
            ($in[0]) as $a | ($in[-1]) as $b | ([$up, 1] | max) as $per
            | (($in | map(.server.rss_kib) | add) / $n) as $rss
            | (($b.epoch_ms - $a.epoch_ms) / 1000) as $wall
            | ($b.machine.total_s - $a.machine.total_s) as $all
            | "server: RSS \($rss / 1024 | round) MiB (idle \($idle.server.rss_kib / 1024 | round) MiB; max \($in | map(.server.rss_kib) | max / 1024 | round)), "
              + "\(($rss - $idle.server.rss_kib) / $per * 10 | round / 10) KiB per connection above idle, \($rss / $per * 10 | round / 10) KiB in all; "
              + "threads \($in | map(.server.threads) | max); CPU \(if $wall > 0 then ($b.server.cpu_s - $a.server.cpu_s) / $wall * 100 | round else 0 end)% of one core",
              "kernel: TCP socket memory \($in | map(.machine.tcp_mem_kib) | max) KiB (max in the interval), \(($in | map(.machine.tcp_mem_kib) | max) / $per * 100 | round / 100) KiB per connection",
              (if $all > 0 then "machine: \(($b.machine.busy_s - $a.machine.busy_s) / $all * 100 | round)% of its \($cores) cores busy in the measured interval (steal \(($b.machine.steal_s - $a.machine.steal_s) / $all * 100 | round)%), server and load generators together" else empty end)
          end' "$OUT/$name.samples.jsonl"
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
