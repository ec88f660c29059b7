#!/usr/bin/env bash
# compare-ref.sh: server CPU time per echoed message, each echolab backend against the C
# reference ref-echo, against the native reference of its own IO model (MODEL_REFS: C threads
# for blocking and pool, Go goroutines and Python gevent for virtual), and Netty's own echo
# (NettyRefEcho), measured in the same run.
#
#   bench/compare-ref.sh                                   # every case below, ~1 hour
#   BACKENDS="nio netty:epoll" CASES="d1c500" PAIRS=3 bench/compare-ref.sh
#
# Method (docs/performance.md): the server runs pinned to CPU 0, the C load generator ref-load
# to CPU 1 (taskset). Every server is started fresh for each run and stopped by PID. For each
# backend and case the runs alternate A B A B ... (ref-echo, backend) for PAIRS pairs, so a noisy
# minute of a shared machine hits both sides of a pair; a backend whose model has a native
# reference runs it inside the pair too (ref-echo, ref-go, ref-gevent, virtual). The figure is
# server CPU us per echoed message (ref-load -S: the server's utime+stime over the measured
# interval / messages); each ratio (backend/ref-echo, backend/its model's reference) is taken
# within each pair, and the median, min and max are reported, each with the 1-minute load average
# of the machine over its runs.
#
# The floor beside each ratio (FLOOR=on): a model that makes fewer system calls per message than
# ref-echo (io_uring) can go below ref-echo by what those calls cost, and one that makes more
# (virtual threads) cannot reach it; what a call costs differs between hosts of one machine kind by
# more than ten times. So the run measures, on the server's CPU, the cost of one bare system call
# (bin/lab probe syscall-cost, at the start and at the end; with the kit's syscall-cost.c beside it
# as a cross-check when the kit has it), and, in one more pair per backend and case, each server's
# system calls per message (bin/lab probe kernel-bill: the lab's kernel bill, perf stat on
# tracepoints over ref-load's measured interval). That pair is counted, not timed: counting makes
# every system call slower, so its CPU figures are left out of the ratios. The floor of a backend's
# model is ref-echo's CPU per message less (ref-echo's calls/msg - the backend's calls/msg) x the
# cost of a call, taken within each pair; the table gives it and the backend's ratio to it.
#
# Environment (defaults in brackets):
#   BACKENDS ["nio netty:auto aio virtual blocking pool:5000 nonblocking"]  id[:transport or threads]
#   REFS ["netty-ref:nio netty-ref:epoll netty-ref:io_uring"]  extra references, also vs ref-echo
#   CASES ["d1c500 d16c500 d1c5000"]   dDEPTH cCONNECTIONS
#   PAIRS [3]  DURATION [10s]  WARMUP [3s]
#   NATIVE [on]  off: no model references in the pairs (ref-echo only)
#   FLOOR [on]  off: no system-call cost, no counted pair, no floor (needs perf for the counts;
#                  without it the script says so and gives the ratios alone)
#   MODEL_REFS ["virtual=ref-go,ref-gevent blocking=ref-threads pool=ref-threads"]  the native
#                  references of a backend's own model, by backend id: the pairs this comparison
#                  makes (a backend not listed has ref-echo, the event loops' floor, alone)
#   BENCH [$ECHOLAB_REF_BENCH; no default]   the reference kit's folder (not part of this repository): ref-echo.c, ref-load.c, ref-echo-threads.c,
#                  ref-echo-go/ (skipped with a line when go is missing), ref-echo-gevent.py
#                  (skipped when /usr/bin/python3 has no gevent), NettyRefEcho
#   OUT [target/compare-ref]                  binaries, logs and results.jsonl
#   SATURATED [80]  RETRIES [2]   a pair counts only when both servers were busy, at least
#                  SATURATED % of their CPU over the measured interval: CPU per message is compared
#                  at saturation. Below it the load generator was slowed by something else on the
#                  machine (each wake-up then carries fewer messages and costs more per message), so
#                  the pair is run again, up to RETRIES times; pairs still below it are left out of
#                  the medians and counted in the table (n=valid/pairs).
#   PROFILE [off]  record: sample the server's stacks (perf record, cpu-clock, JVMs dump a perf
#                  map at exit) and keep `perf report` per run in logs/. Profiling slows the server
#                  a little: take ratios from a run without it. (System calls and context switches
#                  per message: the counted pair of FLOOR.)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

BACKENDS=${BACKENDS-"nio netty:auto aio virtual blocking pool:5000 nonblocking"}
REFS=${REFS-"netty-ref:nio netty-ref:epoll netty-ref:io_uring"}
CASES=${CASES:-"d1c500 d16c500 d1c5000"}
PAIRS=${PAIRS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
OUT=$(realpath -m "${OUT:-$ROOT/target/compare-ref}") # absolute: the go build runs in another folder
SATURATED=${SATURATED:-80}
RETRIES=${RETRIES:-2}
PROFILE=${PROFILE:-off}
NATIVE=${NATIVE:-on}
FLOOR=${FLOOR:-on}
COUNT=$FLOOR
MODEL_REFS=${MODEL_REFS-"virtual=ref-go,ref-gevent blocking=ref-threads pool=ref-threads"}
LOGS=$OUT/logs
RESULTS=$OUT/results.jsonl

[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: one for the server, one for the load generator"
require_kit
seconds DURATION "$DURATION"; duration_s=$REPLY
seconds WARMUP "$WARMUP"; warmup_s=$REPLY
mkdir -p "$LOGS"
: > "$RESULTS"
case $PROFILE in
    off) ;;
    record) command -v perf > /dev/null || die "PROFILE=$PROFILE needs perf (apt-get install linux-perf)" ;;
    *) usage "PROFILE must be off or record, not '$PROFILE'" ;;
esac
case $FLOOR in on|off) ;; *) usage "FLOOR must be on or off, not '$FLOOR'" ;; esac
# A map of JIT-compiled code for perf report, written when the JVM exits (SIGTERM included).
PROFILE_OPTS=
[ "$PROFILE" = record ] && PROFILE_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer"

# The native references of case $1's backend (MODEL_REFS), one per word.
model_refs() {
    local entry
    for entry in $MODEL_REFS; do
        [ "${entry%%=*}" = "${1%%:*}" ] && echo "${entry#*=}" | tr ',' ' '
    done
    return 0
}

build() {
    build_refs
    if [ "$FLOOR" = on ]; then
        if [ -f "$BENCH/syscall-cost.c" ]; then
            build_c syscall-cost syscall-cost.c || log "gcc syscall-cost.c failed: no cross-check of the call cost"
        else
            log "the kit has no syscall-cost.c: the call cost is bin/lab probe syscall-cost's alone, with no cross-check"
        fi
        command -v perf > /dev/null \
            || { log "no perf (apt-get install linux-perf): no calls per message, so no floor; the call cost is still measured"; COUNT=off; }
    fi
    [ -n "$REFS" ] || return 0
    log "building NettyRefEcho (Maven) into $OUT"
    # The kit is read-only: build NettyRefEcho from a copy.
    rm -rf "$OUT/netty-ref-src" && mkdir -p "$OUT/netty-ref-src/netty-ref"
    cp "$BENCH/NettyRefEcho.java" "$OUT/netty-ref-src/" && cp "$BENCH/netty-ref/pom.xml" "$OUT/netty-ref-src/netty-ref/"
    (cd "$OUT/netty-ref-src" && "$ROOT/mvnw" -q -B -f netty-ref/pom.xml package > "$LOGS/mvn-netty-ref.log" 2>&1) \
        || { log "NettyRefEcho build failed (see $LOGS/mvn-netty-ref.log); its rows are skipped"; REFS=""; }
}

run_one() { # server case pair partner [counted] -> appends one JSON line
    local server=$1 case=$2 pair=$3 partner=$4 counted=${5:-} depth conns out line load1 bill="" counter=""
    load1=$(cut -d' ' -f1 /proc/loadavg)
    depth=${case#d}; depth=${depth%%c*}; conns=${case#*c}
    out=$LOGS/$server-for-$partner-$case-p$pair.log
    start_server "$server" "${out%.log}.server.log" || { echo "{\"server\":\"$server\",\"for\":\"$partner\",\"case\":\"$case\",\"pair\":\"$pair\",\"failed\":true}" >> "$RESULTS"; return; }
    [ -n "$counted" ] && start_counting "$out"
    # shellcheck disable=SC2046
    child $(on "$LOAD_CPU") "$OUT/ref-load" -c "$conns" -p "$depth" -d "$duration_s" -w "$warmup_s" -S "$SERVER_PID" \
        -L "$server:$case:$pair" "127.0.0.1:$SERVER_PORT" > "$out" 2>&1
    local load=$!
    [ "$PROFILE" = record ] && profile_server "$out"
    wait "$load"; forget "$load"
    if [ -n "$COUNTER_PID" ]; then
        wait "$COUNTER_PID"; forget "$COUNTER_PID"; COUNTER_PID=
        bill=$(grep '^{' "$out.bill") || log "$server $case: no kernel bill: $(tail -n 1 "$out.bill.err")"
    fi
    stop_server
    [ "$PROFILE" = record ] && perf_report "$out"
    line=$(grep '^{' "$out") || line="{\"failed\":true}"
    echo "{\"server\":\"$server\",\"for\":\"$partner\",\"case\":\"$case\",\"pair\":\"$pair\",\"load1\":$load1,\"counted\":${counted:-false},\"ref_load\":$line${bill:+,\"bill\":$bill}}" >> "$RESULTS"
    log "$server $case pair $pair: $(jq -r '"\(.msgs_per_s) msgs/s, server \(.server_cpu_pct)% CPU"' <<< "$line" 2> /dev/null), load average $load1"
}

# The kernel bill of the server just started (bin/lab probe kernel-bill, on the load generator's CPU
# so the server's CPU stays the server's), counting once this returns; sets COUNTER_PID. Its window
# lies inside ref-load's measured interval, a second in from each end (the connections' set-up
# shifts that interval by a moment no one here knows): the per-message counts are over the
# window, at the rate ref-load measured.
COUNTER_PID=
start_counting() {
    local out=$1 window
    window=$(python3 -c 'import sys; w, d = float(sys.argv[1]), float(sys.argv[2]); m = 1 if d >= 4 else 0; print(f"{w + m}s {d - 2 * m}s")' \
        "$warmup_s" "$duration_s")
    # shellcheck disable=SC2046
    child $(on "$LOAD_CPU") "$ROOT/bin/lab" probe kernel-bill --pid "$SERVER_PID" --after "${window% *}" --for "${window#* }" \
        > "$out.bill" 2> "$out.bill.err"
    COUNTER_PID=$!
    for _ in $(seq 600); do
        grep -q '^counting' "$out.bill.err" 2> /dev/null && return 0
        kill -0 "$COUNTER_PID" 2> /dev/null || break
        sleep 0.1
    done
    log "the kernel bill did not start counting: $(tail -n 1 "$out.bill.err")"
}

# The cost of one system call on the server's CPU, as a line of RESULTS: bin/lab probe
# syscall-cost, and the kit's syscall-cost.c beside it (a C loop: no FFM in the way) when built.
measure_call_cost() { # start|end
    local lab kit=null load1 file=$LOGS/syscall-cost-$1.json
    load1=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2046
    run $(on "$SERVER_CPU") "$ROOT/bin/lab" probe syscall-cost > "$file" 2>&1
    lab=$(grep '^{' "$file") || { log "no system-call cost: $(tail -n 1 "$file")"; lab=null; }
    if [ -x "$OUT/syscall-cost" ]; then
        # shellcheck disable=SC2046
        run $(on "$SERVER_CPU") "$OUT/syscall-cost" > "$file.kit" 2>&1 && kit=$(head -n 1 "$file.kit")
    fi
    echo "{\"syscall_cost\":$lab,\"kit_us\":$kit,\"when\":\"$1\",\"load1\":$load1}" >> "$RESULTS"
    log "one system call on CPU $SERVER_CPU ($1): $(jq -r .us <<< "$lab" 2> /dev/null) us (bin/lab probe syscall-cost), $kit us (kit's syscall-cost.c); load average $load1"
}

# Were all $1 servers of the pair just run (the last $1 results) at least SATURATED % busy?
pair_saturated() {
    tail -n "$1" "$RESULTS" | python3 -c '
import json, sys
cpu = [(json.loads(l).get("ref_load") or {}).get("server_cpu_pct") or 0 for l in sys.stdin]
sys.exit(0 if min(cpu) >= float(sys.argv[1]) else 1)' "$SATURATED"
}

# PROFILE=record: wait out the warm-up, then sample the server's CPU for DURATION (ref-load's
# measured interval, give or take the start-up of perf).
profile_server() {
    local out=$1
    sleep "$warmup_s"
    # The whole server CPU, not the process: per-thread sampling would add its own cost to
    # every context switch, which is the very thing the thread-per-connection servers do most.
    perf record -q -e cpu-clock -F 1999 -g -C "$SERVER_CPU" -o "$out.data" -- sleep "$duration_s" > /dev/null 2>&1
    echo "$SERVER_PID" > "$out.pid"
}

# PROFILE=record: where the server's CPU went, by binary (kernel, JIT code, libjvm...) and by function.
perf_report() {
    local out=$1
    [ -f "$out.data" ] || return 0
    local only=(--pid "$(cat "$out.pid")")   # the server's samples only (others may run on its CPU)
    { echo "## by binary"; perf report -i "$out.data" "${only[@]}" --stdio --no-children -g none --sort dso --percent-limit 1 2> /dev/null | grep -v '^#' | grep -v '^$'
      echo "## by function (self)"; perf report -i "$out.data" "${only[@]}" --stdio --no-children -g none --sort dso,sym --percent-limit 0.7 2> /dev/null | grep -v '^#' | grep -v '^$'
      echo "## other processes on the server's CPU"; perf report -i "$out.data" --stdio --no-children -g none --sort pid --percent-limit 1 2> /dev/null | grep -v '^#' | grep -v '^$'
    } > "$out.report"
    rm -f "$out.data"
}

build
# The run's own record, first: how to make it again, when, on what code and machine.
command_line=$(for v in BACKENDS REFS CASES PAIRS DURATION WARMUP NATIVE FLOOR SATURATED ECHOLAB_JAVA_OPTS; do printf "%s='%s' " "$v" "${!v-}"; done)
jq -cn --arg command "${command_line}bench/compare-ref.sh" --arg date "$(date -u +%FT%TZ)" \
    --arg commit "$(git -C "$ROOT" describe --always --dirty 2> /dev/null || echo unknown)" \
    --arg machine "$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), Linux $(uname -r), $("$JAVA" -version 2>&1 | head -1)" \
    '{run: {command: $command, date: $date, commit: $commit, machine: $machine}}' >> "$RESULTS"
log "$(date -u +%FT%TZ) on $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -r), $("$JAVA" -version 2>&1 | head -1)"
[ "$FLOOR" = on ] && measure_call_cost start
for case in $CASES; do
    for server in $BACKENDS $REFS; do
        for pair in $(seq "$PAIRS"); do
            for attempt in $(seq 0 "$RETRIES"); do
                local_refs=()
                if [ "$NATIVE" = on ]; then
                    for m in $(model_refs "$server"); do ref_available "$m" && local_refs+=("$m"); done
                fi
                run_one ref-echo "$case" "$pair" "$server"
                for m in "${local_refs[@]}"; do run_one "$m" "$case" "$pair" "$server"; done
                run_one "$server" "$case" "$pair" "$server"
                pair_saturated $((2 + ${#local_refs[@]})) && break
                [ "$attempt" -lt "$RETRIES" ] && log "a server of pair $pair ran below $SATURATED% CPU: disturbed, running the pair again"
            done
        done
        if [ "$COUNT" = on ] && [ "$server" != ref-echo ]; then
            # Calls per message depend on how many messages a wake-up finds: counted at saturation too.
            for attempt in $(seq 0 "$RETRIES"); do
                run_one ref-echo "$case" counted "$server" true
                run_one "$server" "$case" counted "$server" true
                pair_saturated 2 && break
                [ "$attempt" -lt "$RETRIES" ] && log "a server of the counted pair ran below $SATURATED% CPU: disturbed, counting again"
            done
        fi
    done
done
[ "$FLOOR" = on ] && measure_call_cost end

for m in "${REF_MISSING[@]}"; do echo "not measured: $m"; done
# The tables, from the records: bin/lab probe ref-table (RefComparison, which docs/performance.md's
# render view reads too); keep OUT/results.jsonl under docs/data/NAME/ to publish them.
"$ROOT/bin/lab" probe ref-table --saturated "$SATURATED" "$RESULTS"
