#!/usr/bin/env bash
# chaos.sh: load through a supervised process group while faults are injected, one per round.
#
#   bench/chaos.sh BACKEND [SECONDS]        e.g. bench/chaos.sh nio 120   (default 120)
#
# bin/server --backend BACKEND --processes 2 --drain-timeout 30s, then rounds of bin/loadgen (100
# connections, 1 s warm-up, 10 s measured, every echo verified) until SECONDS have passed. Each
# round injects one fault, in turn, 3 s into its measurement:
#   reload   SIGHUP to the parent: new children, the old ones drain     (expected: no error)
#   kill     SIGKILL to one child: the parent replaces it              (its connections fail: reset)
#   fds      one child's open-file limit cut to what it holds + 8 for 3 s (prlimit), then restored,
#            while 50 newcomers connect                                 (expected: no loadgen error)
#   hostile  slow readers, resets, garbage, half-opens against the group (expected: no loadgen error)
# Lost connections recover by the next round: each round's load generator connects afresh.
# Prints one line per round and a summary: faults injected, connections failed (by kind), rounds
# whose every connection was served, mismatches (must be 0), the group's RSS and threads at the end
# against the start. Exit 1 on any mismatch, or on an error in a round whose fault should cost none.
#
# Environment: CONNECTIONS [100]  OUT [target/chaos]. Run it under the bench lock:
#   flock /tmp/echolab-bench.lock bench/chaos.sh nio 120
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: bench/chaos.sh BACKEND [SECONDS]" >&2; exit 2; }
CASE=$1 SECONDS_TOTAL=${2:-120}
[[ $SECONDS_TOTAL =~ ^[0-9]+$ ]] && [ "$SECONDS_TOTAL" -ge 15 ] && [ "$SECONDS_TOTAL" -le 3600 ] \
    || { echo "SECONDS must be a whole number from 15 to 3600" >&2; exit 2; }
CONNECTIONS=${CONNECTIONS:-100}
OUT=${OUT:-$ROOT/target/chaos}
name=${CASE//:/-}
mkdir -p "$OUT"
command -v jq > /dev/null || { echo "chaos.sh needs jq (apt-get install jq)" >&2; exit 1; }
command -v python3 > /dev/null || { echo "chaos.sh needs python3 for its hostile clients" >&2; exit 1; }

start_server "$CASE" "$OUT/$name.server.log" --processes 2 --drain-timeout 30s || exit 1
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
echo "chaos: $CASE parent pid $PARENT port $SERVER_PORT, ${SECONDS_TOTAL}s, $CONNECTIONS connections a round"

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
declare -A injected=() failed_rounds=()
errors_total=0 mismatches_total=0 rounds=0 clean_rounds=0 unexpected=0
kinds_total='{}'
start=$(date +%s)
while [ $(( $(date +%s) - start + 13 )) -le "$SECONDS_TOTAL" ]; do
    fault=${faults[$((rounds % ${#faults[@]}))]}
    json=$OUT/$name.round$rounds.json
    start_loadgen --port "$SERVER_PORT" --connections "$CONNECTIONS" --warmup 1s --duration 10s --json "$json" \
        > "$OUT/$name.round$rounds.log" 2>&1
    lg=$LOADGEN_PID
    sleep 4
    note=""
    case $fault in
        reload) kill -HUP "$PARENT" ;;
        kill)
            victim=$(pgrep -P "$PARENT" | head -n 1)
            kill -KILL "$victim" 2>/dev/null
            note="pid $victim" ;;
        fds)
            victim=$(pgrep -P "$PARENT" | head -n 1)
            held=$(fds "$victim")
            old=$(prlimit --pid "$victim" --nofile --output SOFT,HARD --noheadings | awk '{print $1":"$2}')
            prlimit --pid "$victim" --nofile=$((held + 8)):"${old#*:}"
            (sleep 3; prlimit --pid "$victim" --nofile="$old" 2>/dev/null) &
            # Newcomers the kernel gives that child wait in its accept queue until the limit is back.
            note="pid $victim limited to $((held + 8)) files for 3 s; newcomers failed: $(newcomers 50)"
            wait $! ;;
        hostile) hostile; note="newcomers failed after: $(newcomers 20)" ;;
    esac
    wait "$lg"
    forget "$lg"
    injected[$fault]=$(( ${injected[$fault]:-0} + 1 ))
    errors=$(jq '.errors // 0' "$json" 2>/dev/null || echo "?")
    mismatches=$(jq '.mismatches // 0' "$json" 2>/dev/null || echo "?")
    kinds=$(jq -c '.errors_by_kind // {}' "$json" 2>/dev/null || echo '{}')
    [ "$errors" = "?" ] && { errors=$CONNECTIONS; echo "round $rounds: no JSON; see $OUT/$name.round$rounds.log"; }
    [ "$mismatches" = "?" ] && mismatches=0
    errors_total=$((errors_total + errors)) mismatches_total=$((mismatches_total + mismatches))
    kinds_total=$(jq -cn --argjson a "$kinds_total" --argjson b "$kinds" \
        '$a + $b | with_entries(.value = (($a[.key] // 0) + ($b[.key] // 0)))')
    if [ "$errors" -eq 0 ]; then clean_rounds=$((clean_rounds + 1)); else failed_rounds[$fault]=$(( ${failed_rounds[$fault]:-0} + 1 )); fi
    [ "$fault" != kill ] && [ "$errors" -ne 0 ] && unexpected=$((unexpected + 1))
    printf 'round %2d  %-8s errors %4s  mismatches %s  %s %s\n' "$rounds" "$fault" "$errors" "$mismatches" \
        "$(jq -c 'with_entries(select(.value > 0))' <<< "$kinds")" "$note"
    rounds=$((rounds + 1))
    sleep 1
done
sleep 2 # the last round's old children finish draining
rss_end=$(group_rss_mib) threads_end=$(group_threads)
restarts=$(grep '^connections=' "$OUT/$name.server.log" | tail -n 1 | sed -n 's/.*restarts=\([0-9]*\).*/\1/p')
stop_server

echo "summary $CASE: ${rounds} rounds in $(( $(date +%s) - start ))s; faults injected: $(for f in "${faults[@]}"; do printf '%s %s ' "$f" "${injected[$f]:-0}"; done)"
echo "  connections failed: $errors_total $(jq -c 'with_entries(select(.value > 0))' <<< "$kinds_total") (restarts=${restarts:-0}); rounds with every connection served: $clean_rounds/$rounds"
echo "  mismatches: $mismatches_total; errors in rounds whose fault should cost none: $unexpected"
echo "  group RSS ${rss_start} -> ${rss_end} MiB, threads ${threads_start} -> ${threads_end}"
[ "$mismatches_total" -eq 0 ] && [ "$unexpected" -eq 0 ]
