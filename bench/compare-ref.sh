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
# within each pair, and the median, min and max are reported.
#
# Environment (defaults in brackets):
#   BACKENDS ["nio netty:auto aio virtual blocking pool:5000 nonblocking"]  id[:transport or threads]
#   REFS ["netty-ref:nio netty-ref:epoll netty-ref:io_uring"]  extra references, also vs ref-echo
#   CASES ["d1c500 d16c500 d1c5000"]   dDEPTH cCONNECTIONS
#   PAIRS [3]  DURATION [10s]  WARMUP [3s]
#   NATIVE [on]  off: no model references in the pairs (ref-echo only)
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
#   PROFILE [off]  stat: count the server's system calls, context switches and user/system CPU
#                  over DURATION after WARMUP (perf stat on the server's PID, tracepoints), and
#                  print them per message; record: sample the server's stacks (perf record,
#                  cpu-clock, JVMs dump a perf map at exit) and keep `perf report` per run in logs/.
#                  Profiling slows the server a little: take ratios from a run without it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

BACKENDS=${BACKENDS-"nio netty:auto aio virtual blocking pool:5000 nonblocking"}
REFS=${REFS-"netty-ref:nio netty-ref:epoll netty-ref:io_uring"}
CASES=${CASES:-"d1c500 d16c500 d1c5000"}
PAIRS=${PAIRS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
OUT=${OUT:-$ROOT/target/compare-ref}
SATURATED=${SATURATED:-80}
RETRIES=${RETRIES:-2}
PROFILE=${PROFILE:-off}
NATIVE=${NATIVE:-on}
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
    stat|record) command -v perf > /dev/null || die "PROFILE=$PROFILE needs perf (apt-get install linux-perf)" ;;
    *) usage "PROFILE must be off, stat or record, not '$PROFILE'" ;;
esac
# The per-message counters of PROFILE=stat: every system call, the ones an echo loop makes,
# and the scheduler's view (context switches).
PERF_EVENTS=raw_syscalls:sys_enter,context-switches,cpu-migrations
for sc in read write readv writev recvfrom sendto epoll_wait epoll_pwait epoll_ctl futex io_uring_enter poll ppoll sched_yield; do
    PERF_EVENTS+=",syscalls:sys_enter_$sc"
done
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
    [ -n "$REFS" ] || return 0
    log "building NettyRefEcho (Maven) into $OUT"
    # The kit is read-only: build NettyRefEcho from a copy.
    rm -rf "$OUT/netty-ref-src" && mkdir -p "$OUT/netty-ref-src/netty-ref"
    cp "$BENCH/NettyRefEcho.java" "$OUT/netty-ref-src/" && cp "$BENCH/netty-ref/pom.xml" "$OUT/netty-ref-src/netty-ref/"
    (cd "$OUT/netty-ref-src" && "$ROOT/mvnw" -q -B -f netty-ref/pom.xml package > "$LOGS/mvn-netty-ref.log" 2>&1) \
        || { log "NettyRefEcho build failed (see $LOGS/mvn-netty-ref.log); its rows are skipped"; REFS=""; }
}

run_one() { # server case pair partner -> appends one JSON line
    local server=$1 case=$2 pair=$3 partner=$4 depth conns out line
    depth=${case#d}; depth=${depth%%c*}; conns=${case#*c}
    out=$LOGS/$server-for-$partner-$case-p$pair.log
    start_server "$server" "${out%.log}.server.log" || { echo "{\"server\":\"$server\",\"for\":\"$partner\",\"case\":\"$case\",\"pair\":$pair,\"failed\":true}" >> "$RESULTS"; return; }
    # shellcheck disable=SC2046
    child $(on "$LOAD_CPU") "$OUT/ref-load" -c "$conns" -p "$depth" -d "$duration_s" -w "$warmup_s" -S "$SERVER_PID" \
        -L "$server:$case:$pair" "127.0.0.1:$SERVER_PORT" > "$out" 2>&1
    local load=$! profile=""
    [ "$PROFILE" = off ] || profile=$(profile_server "$out")
    wait "$load"; forget "$load"
    stop_server
    [ "$PROFILE" = record ] && perf_report "$out"
    line=$(grep '^{' "$out") || line="{\"failed\":true}"
    echo "{\"server\":\"$server\",\"for\":\"$partner\",\"case\":\"$case\",\"pair\":$pair,\"ref_load\":$line${profile:+,\"profile\":$profile}}" >> "$RESULTS"
    log "$server $case pair $pair: $(jq -r '"\(.msgs_per_s) msgs/s, server \(.server_cpu_pct)% CPU"' <<< "$line" 2> /dev/null)"
}

# Were all $1 servers of the pair just run (the last $1 results) at least SATURATED % busy?
pair_saturated() {
    tail -n "$1" "$RESULTS" | python3 -c '
import json, sys
cpu = [(json.loads(l).get("ref_load") or {}).get("server_cpu_pct") or 0 for l in sys.stdin]
sys.exit(0 if min(cpu) >= float(sys.argv[1]) else 1)' "$SATURATED"
}

# PROFILE: wait out the warm-up, then watch the server for DURATION (ref-load's measured
# interval, give or take the start-up of perf). stat prints a JSON object of counts, CPU ticks included.
profile_server() {
    local out=$1 ticks0 ticks1
    sleep "$warmup_s"
    ticks0=$(awk '{print $14, $15}' "/proc/$SERVER_PID/stat")
    if [ "$PROFILE" = stat ]; then
        perf stat -x, -o "$out.perf" -e "$PERF_EVENTS" -p "$SERVER_PID" -- sleep "$duration_s" 2> /dev/null
    else
        # The whole server CPU, not the process: per-thread sampling would add its own cost to
        # every context switch, which is the very thing the thread-per-connection servers do most.
        perf record -q -e cpu-clock -F 1999 -g -C "$SERVER_CPU" -o "$out.data" -- sleep "$duration_s" > /dev/null 2>&1
        echo "$SERVER_PID" > "$out.pid"
    fi
    ticks1=$(awk '{print $14, $15}' "/proc/$SERVER_PID/stat")
    python3 - "$out.perf" "$ticks0" "$ticks1" "$(getconf CLK_TCK)" "$duration_s" <<'PY'
import json, os, sys
path, t0, t1, hz, secs = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4]), float(sys.argv[5])
counts = {"seconds": secs, "user_s": (int(t1[0]) - int(t0[0])) / hz, "sys_s": (int(t1[1]) - int(t0[1])) / hz}
if os.path.exists(path):
    for line in open(path):
        f = line.strip().split(",")
        if len(f) > 2 and f[0].replace(".", "").isdigit():
            counts[f[2].replace("syscalls:sys_enter_", "").replace("raw_syscalls:sys_enter", "syscalls")] = float(f[0])
print(json.dumps(counts))
PY
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
log "$(date -u +%FT%TZ) on $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -r), $("$JAVA" -version 2>&1 | head -1)"
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
    done
done

for m in "${REF_MISSING[@]}"; do echo "not measured: $m"; done
python3 - "$RESULTS" "$SATURATED" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
saturated = float(sys.argv[2])
def us_per_msg(r):
    lg = r.get("ref_load") or {}
    if r.get("failed") or lg.get("failed") or not lg.get("msgs_per_s") or lg.get("server_cpu_pct") is None:
        return None
    if lg["server_cpu_pct"] < saturated:
        return None  # disturbed: see SATURATED
    return lg["server_cpu_pct"] / 100 / lg["msgs_per_s"] * 1e6
# (backend the pair belongs to, case, pair) -> {server: us/msg}; a rerun pair replaces the earlier try.
by = {}
for r in rows:
    by.setdefault((r["for"], r["case"], r["pair"]), {})[r["server"]] = us_per_msg(r)
cases = sorted({r["case"] for r in rows}, key=lambda c: (int(c.split("c")[1]), int(c[1:].split("c")[0])))
backends = list(dict.fromkeys(r["for"] for r in rows))
# The model references that ran in a backend's pairs, in their order (ref-go, ref-gevent...).
model = {s: list(dict.fromkeys(r["server"] for r in rows if r["for"] == s and r["server"] not in ("ref-echo", s)))
         for s in backends}

def ratios(s, c, num, den):
    """num/den within each pair of backend s in case c, and num's own figures and the pair count."""
    got, own, pairs = [], [], [k for k in by if k[0] == s and k[1] == c]
    for k in pairs:
        a, b = by[k].get(num), by[k].get(den)
        if a and b and all(by[k].get(x) for x in [num, den]):
            got.append(a / b); own.append(a)
    return got, own, len(pairs)

def cell(got, own, n, name):
    if not got:
        return f"no saturated pair of {n}"
    m = f", n={len(got)}/{n}" if len(got) < n else ""
    return f"{statistics.median(own):.2f} ({statistics.median(got):.2f}x {name} [{min(got):.2f}-{max(got):.2f}]{m})"

print("Server CPU us per echoed message (median), then the ratio within each pair: median [min-max]")
print()
print("| server | " + " | ".join(cases) + " |")
print("|---|" + "---|" * len(cases))
for s in backends:
    cells = []
    for c in cases:
        parts = [cell(*ratios(s, c, s, "ref-echo"), "ref-echo")]
        for m in model[s]:
            got, own, n = ratios(s, c, s, m)
            parts.append(f"{statistics.median(got):.2f}x {m} [{min(got):.2f}-{max(got):.2f}]" if got else f"no saturated pair with {m}")
        cells.append("; ".join(parts))
    print(f"| {s} | " + " | ".join(cells) + " |")
refs = [(m, s) for s in backends for m in model[s]]
if refs:
    print()
    print("The model references, from the same pairs: us/msg (ratio to ref-echo)")
    print()
    print("| reference | in the pairs of | " + " | ".join(cases) + " |")
    print("|---|---|" + "---|" * len(cases))
    for m, s in refs:
        print(f"| {m} | {s} | " + " | ".join(cell(*ratios(s, c, m, "ref-echo"), "ref-echo") for c in cases) + " |")

# PROFILE=stat: per echoed message, medians over the pairs, each server's own runs.
if not any("profile" in r for r in rows):
    sys.exit()
keys = ["user_us", "sys_us", "syscalls", "read", "write", "readv", "writev", "recvfrom", "sendto", "epoll_wait",
        "epoll_pwait", "epoll_ctl", "io_uring_enter", "futex", "poll", "ppoll", "sched_yield", "context-switches"]
def per_msg(r):
    p, lg = r.get("profile"), r.get("ref_load") or {}
    if not p or not lg.get("msgs_per_s"):
        return None
    msgs = lg["msgs_per_s"] * p["seconds"]
    d = {k: p.get(k, 0) / msgs for k in keys if k in p}
    d["user_us"] = p["user_s"] / msgs * 1e6
    d["sys_us"] = p["sys_s"] / msgs * 1e6
    return d
shown = [k for k in keys if any((per_msg(r) or {}).get(k) for r in rows)]
servers = list(dict.fromkeys(["ref-echo"] + [r["server"] for r in rows]))
print()
print("Per echoed message (medians over pairs): CPU us in user and kernel mode, then counts")
print("| server | case | " + " | ".join(shown) + " |")
print("|---|---|" + "---|" * len(shown))
for c in cases:
    for s in servers:
        got = [g for g in (per_msg(r) for r in rows if r["case"] == c and r["server"] == s) if g]
        if got:
            print(f"| {s} | {c} | " + " | ".join(f"{statistics.median(g.get(k, 0) for g in got):.3g}" for k in shown) + " |")
PY
