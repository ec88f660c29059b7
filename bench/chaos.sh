#!/usr/bin/env bash
# chaos.sh: load through a supervised process group while faults are injected on a schedule.
#
#   bench/chaos.sh BACKEND [SECONDS]        e.g. bench/chaos.sh nio 600   (default 120)
#
# bin/server --backend BACKEND --processes 2 --drain-timeout 5s under one bin/loadgen run of
# SECONDS (100 connections, 2 s warm-up, every echo verified) with --reconnect-on-fault: a
# connection whose socket fails counts the failure by kind and its messages in flight as failed,
# and reconnects. From 5 s into the measurement, one fault, then PERIOD seconds, in turn:
#   reload   SIGHUP to the parent: new children; the old ones drain for 5 s, then close what is left
#            (those connections fail as closed early or reset, and reconnect to the new children)
#   kill     SIGKILL to the newest child: the parent replaces it (its connections fail: reset)
#   fds      that child's open-file limit cut to what it holds + 8 for 3 s (prlimit), then restored,
#            while 50 newcomers connect                                 (expected: no failure)
#   hostile  slow readers, resets, garbage, half-opens against the group (expected: no failure)
# Prints one line per fault (the load generator's failures so far) and a summary: faults injected,
# connections failed (by kind), recovered and lost, availability, lost messages and bytes (must be
# 0), mismatches (must be 0), the group's RSS and threads at the end against the start. Writes the
# summary as JSON to OUT/BACKEND.summary.json (docs/data/chaos/ keeps these). Exit 1 on a mismatch,
# a lost message, a connection lost for good or a newcomer not served.
#
# Environment: CONNECTIONS [100]  PERIOD [10]  OUT [target/chaos]. Run it under the bench lock:
#   flock /tmp/echolab-bench.lock bench/chaos.sh nio 600
set -uo pipefail
# The reload is a SIGHUP to the server. Under nohup SIGHUP is ignored, an ignored signal stays
# ignored in every process started from here (a shell cannot trap or reset it), and the JVM then
# never sees the reload: start over with SIGHUP at its default.
if (( 0x$(awk '/^SigIgn:/ {print $2}' /proc/$$/status) & 1 )); then
    exec env --default-signal=HUP "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: bench/chaos.sh BACKEND [SECONDS]" >&2; exit 2; }
CASE=$1 SECONDS_TOTAL=${2:-120}
[[ $SECONDS_TOTAL =~ ^[0-9]+$ ]] && [ "$SECONDS_TOTAL" -ge 20 ] && [ "$SECONDS_TOTAL" -le 3600 ] \
    || { echo "SECONDS must be a whole number from 20 to 3600" >&2; exit 2; }
CONNECTIONS=${CONNECTIONS:-100}
PERIOD=${PERIOD:-10}
[[ $PERIOD =~ ^[0-9]+$ ]] && [ "$PERIOD" -ge 5 ] || { echo "PERIOD must be a whole number of seconds, 5 or more" >&2; exit 2; }
OUT=${OUT:-$ROOT/target/chaos}
name=${CASE//:/-}
mkdir -p "$OUT"
command -v jq > /dev/null || { echo "chaos.sh needs jq (apt-get install jq)" >&2; exit 1; }
command -v python3 > /dev/null || { echo "chaos.sh needs python3 for its hostile clients" >&2; exit 1; }

start_server "$CASE" "$OUT/$name.server.log" --processes 2 --drain-timeout 5s || exit 1
PARENT=$SERVER_PID
group_pids() { echo "$PARENT" $(pgrep -P "$PARENT"); }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2> /dev/null || echo 0; }
threads() { ls "/proc/$1/task" 2> /dev/null | wc -l; }
fds() { ls "/proc/$1/fd" 2> /dev/null | wc -l; }
group_rss_mib() { local t=0 p; for p in $(group_pids); do t=$((t + $(rss_kib "$p"))); done; echo $((t / 1024)); }
group_threads() { local t=0 p; for p in $(group_pids); do t=$((t + $(threads "$p"))); done; echo "$t"; }
# Warm the group up first, so that the start figures are a served group's, not a cold JVM's.
"$ROOT/bin/loadgen" --host 127.0.0.1 --port "$SERVER_PORT" --connections "$CONNECTIONS" --warmup 1s --duration 3s \
    > "$OUT/$name.warm.log" 2>&1
rss_start=$(group_rss_mib) threads_start=$(group_threads)
echo "chaos: $CASE parent pid $PARENT port $SERVER_PORT, ${SECONDS_TOTAL}s, $CONNECTIONS connections, ${PERIOD}s after each fault"

newcomers() { # $1 connections, each: connect, echo one line, close; prints how many failed
    python3 - "$SERVER_PORT" "$1" <<'EOF'
import socket, sys
port, n, failed = int(sys.argv[1]), int(sys.argv[2]), 0
for i in range(n):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.settimeout(5); s.sendall(b"newcomer %d\n" % i); want = b"newcomer %d\n" % i; got = b""
            while len(got) < len(want):
                b = s.recv(64)
                if not b: break
                got += b
            failed += got != want
    except OSError:
        failed += 1
print(failed)
EOF
}

hostile() { # slow readers, resets, garbage, half-opens; returns when they are done
    python3 - "$SERVER_PORT" <<'EOF'
import os, socket, struct, sys, time
port = int(sys.argv[1]); held = []
def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=5)
for i in range(10):   # slow readers: write 1 MiB, read nothing for a while
    s = conn(); s.setblocking(False)
    try: s.send(b"x" * (1 << 20))
    except BlockingIOError: pass
    held.append(s)
for i in range(20):   # resets: some bytes, then RST (SO_LINGER 0)
    s = conn(); s.sendall(os.urandom(4096))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()
for i in range(20):   # garbage: random binary, read whatever comes back, close
    s = conn(); s.sendall(os.urandom(8192)); s.settimeout(0.2)
    try: s.recv(65536)
    except OSError: pass
    s.close()
for i in range(10):   # half-opens: shut our side, never read
    s = conn(); s.sendall(b"half\n"); s.shutdown(socket.SHUT_WR); held.append(s)
time.sleep(3)
for s in held: s.close()
EOF
}

faults=(reload kill fds hostile)
declare -A injected=()
newcomers_failed=0 rounds=0 reloads_failed=0
json=$OUT/$name.json
start_loadgen --port "$SERVER_PORT" --connections "$CONNECTIONS" --warmup 2s --duration "$((SECONDS_TOTAL - 2))s" \
    --reconnect-on-fault --json "$json" > "$OUT/$name.loadgen.log" 2>&1
lg=$LOADGEN_PID
start=$(date +%s)
sleep 7 # the JVM, the connections and the warm-up, then 5 s of measurement
# The last fault leaves a period's time to recover before the load generator ends.
while [ $(( $(date +%s) - start + PERIOD + 2 )) -le "$SECONDS_TOTAL" ] && kill -0 "$lg" 2> /dev/null; do
    fault=${faults[$((rounds % ${#faults[@]}))]}
    note=""
    case $fault in
        reload)
            before=$(grep -c '^reload' "$OUT/$name.server.log")
            kill -HUP "$PARENT"
            # The next fault waits until the new generation serves (or the reload failed).
            outcome="" until=$(( $(date +%s) + 60 ))
            while [ -z "$outcome" ] && [ "$(date +%s)" -lt "$until" ]; do
                sleep 0.2
                outcome=$(grep '^reload' "$OUT/$name.server.log" | tail -n +$((before + 1)) | grep -m1 -E '^reload(: serving| failed)')
            done
            note=${outcome:-no outcome within 60 s}
            [[ $note == "reload: serving"* ]] || reloads_failed=$((reloads_failed + 1)) ;;
        kill)
            victim=$(pgrep -n -P "$PARENT")
            kill -KILL "$victim" 2>/dev/null
            note="pid $victim" ;;
        fds)
            victim=$(pgrep -n -P "$PARENT")
            held=$(fds "$victim")
            old=$(prlimit --pid "$victim" --nofile --output SOFT,HARD --noheadings | awk '{print $1":"$2}')
            prlimit --pid "$victim" --nofile=$((held + 8)):"${old#*:}"
            (sleep 3; prlimit --pid "$victim" --nofile="$old" 2>/dev/null) &
            # Newcomers the kernel gives that child wait in its accept queue until the limit is back.
            failed=$(newcomers 50)
            newcomers_failed=$((newcomers_failed + failed))
            note="pid $victim limited to $((held + 8)) files for 3 s; newcomers failed: $failed"
            wait $! ;;
        hostile)
            hostile
            failed=$(newcomers 20)
            newcomers_failed=$((newcomers_failed + failed))
            note="newcomers failed after: $failed" ;;
    esac
    injected[$fault]=$(( ${injected[$fault]:-0} + 1 ))
    so_far=$(grep -o 'failures [0-9]* down [0-9]*' "$OUT/$name.loadgen.log" | tail -n 1)
    printf '%4ss  %-8s %s  (load generator so far: %s)\n' "$(( $(date +%s) - start ))" "$fault" "$note" "${so_far:-no failure}"
    rounds=$((rounds + 1))
    # PERIOD from the end of this fault: a kill after a reload then finds the connections moved to
    # the new children (the old ones closed theirs at the drain timeout, and the clients reconnected).
    sleep "$PERIOD"
done
wait "$lg"
forget "$lg"
sleep 2 # the last reload's old children finish draining
rss_end=$(group_rss_mib) threads_end=$(group_threads)
restarts=$(grep '^connections=' "$OUT/$name.server.log" | tail -n 1 | sed -n 's/.*restarts=\([0-9]*\).*/\1/p')
stop_server

[ -s "$json" ] || { echo "chaos: the load generator wrote no report; see $OUT/$name.loadgen.log" >&2; exit 1; }
injected_json=$(for f in "${faults[@]}"; do printf '%s %s\n' "$f" "${injected[$f]:-0}"; done \
    | jq -Rn '[inputs | split(" ") | {(.[0]): (.[1] | tonumber)}] | add')
summary=$OUT/$name.summary.json
jq -n --slurpfile r "$json" --arg backend "$CASE" --arg command "bench/chaos.sh $CASE $SECONDS_TOTAL" \
    --arg commit "$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown)" \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg machine "$(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)" \
    --argjson injected "$injected_json" --argjson seconds "$SECONDS_TOTAL" --argjson connections "$CONNECTIONS" \
    --argjson period "$PERIOD" --argjson newcomers_failed "$newcomers_failed" --argjson reloads_failed "$reloads_failed" --argjson restarts "${restarts:-0}" \
    --argjson rss_start "$rss_start" --argjson rss_end "$rss_end" \
    --argjson threads_start "$threads_start" --argjson threads_end "$threads_end" '
    $r[0] as $r | {
      backend: $backend, command: $command, commit: $commit, date: $date, machine: $machine,
      seconds: $seconds, connections: $connections, period_s: $period, faults_injected: $injected,
      failures: $r.faults.failures, failures_by_kind: ($r.faults.failures_by_kind | with_entries(select(.value > 0))),
      recovered: $r.faults.recovered, connections_lost: $r.faults.connections_lost,
      down_s: $r.faults.down_s, availability: $r.faults.availability,
      sent_msgs: $r.faults.sent_msgs, failed_msgs: $r.faults.failed_msgs,
      lost_msgs: $r.faults.lost_msgs, lost_bytes: $r.faults.lost_bytes, mismatches: $r.mismatches,
      msgs_per_s: $r.msgs_per_s, newcomers_failed: $newcomers_failed, reloads_failed: $reloads_failed, restarts: $restarts,
      rss_mib: {start: $rss_start, end: $rss_end}, threads: {start: $threads_start, end: $threads_end}}' > "$summary"

jq -r '"summary \(.backend): \(.seconds)s; faults injected: \(.faults_injected | to_entries | map("\(.key) \(.value)") | join(", "))",
  "  connections failed: \(.failures) \(.failures_by_kind | tostring), recovered \(.recovered), lost for good \(.connections_lost); restarts=\(.restarts)",
  "  availability \(.availability * 100 * 1000 | round / 1000)% (\(.down_s) s without service over \(.connections) connections)",
  "  lost messages \(.lost_msgs), lost bytes \(.lost_bytes) (of \(.sent_msgs) sent, \(.failed_msgs) failed in flight); mismatches \(.mismatches); newcomers not served \(.newcomers_failed); reloads that failed \(.reloads_failed)",
  "  group RSS \(.rss_mib.start) -> \(.rss_mib.end) MiB, threads \(.threads.start) -> \(.threads.end)"' "$summary"
echo "  summary: $summary"
jq -e '.mismatches == 0 and .lost_msgs == 0 and .lost_bytes == 0 and .connections_lost == 0 and .newcomers_failed == 0' "$summary" > /dev/null
