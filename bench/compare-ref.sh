#!/usr/bin/env bash
# compare-ref.sh: server CPU time per echoed message, each echolab backend against the C
# reference ref-echo (and Netty's own echo, NettyRefEcho), measured in the same run.
#
#   bench/compare-ref.sh                                   # every case below, ~1 hour
#   BACKENDS="nio netty:epoll" CASES="d1c500" PAIRS=3 bench/compare-ref.sh
#
# Method (docs/performance.md): the server runs pinned to CPU 0, the C load generator ref-load
# to CPU 1 (taskset). Every server is started fresh for each run and stopped by PID. For each
# backend and case the runs alternate A B A B ... (ref-echo, backend) for PAIRS pairs, so a noisy
# minute of a shared machine hits both sides of a pair. The figure is server CPU us per echoed
# message (ref-load -S: the server's utime+stime over the measured interval / messages); the
# ratio backend/ref-echo is taken within each pair, and the median, min and max are reported.
#
# Environment (defaults in brackets):
#   BACKENDS ["nio netty:auto aio virtual blocking pool:5000 nonblocking"]  id[:transport or threads]
#   REFS ["netty-ref:nio netty-ref:epoll netty-ref:io_uring"]  extra references, also vs ref-echo
#   CASES ["d1c500 d16c500 d1c5000"]   dDEPTH cCONNECTIONS
#   PAIRS [3]  DURATION [10]  WARMUP [3]
#   BENCH [../shared/bench beside the repo]   where ref-echo.c, ref-load.c, NettyRefEcho live
#   OUT [target/compare-ref]                  binaries, logs and results.jsonl
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bin/env.sh"

BACKENDS=${BACKENDS-"nio netty:auto aio virtual blocking pool:5000 nonblocking"}
REFS=${REFS-"netty-ref:nio netty-ref:epoll netty-ref:io_uring"}
CASES=${CASES:-"d1c500 d16c500 d1c5000"}
PAIRS=${PAIRS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
BENCH=${BENCH:-$ROOT/../shared/bench}
OUT=${OUT:-$ROOT/target/compare-ref}
SERVER_CPU=0 LOAD_CPU=1
LOGS=$OUT/logs
RESULTS=$OUT/results.jsonl

die() { echo "compare-ref: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: one for the server, one for the load generator"
[ -f "$BENCH/ref-echo.c" ] || die "reference kit not found at $BENCH (set BENCH)"
mkdir -p "$LOGS"
: > "$RESULTS"

build() {
    log "building ref-echo, ref-load (gcc) and NettyRefEcho (Maven) into $OUT"
    gcc -O2 -o "$OUT/ref-echo" "$BENCH/ref-echo.c" -pthread || die "gcc ref-echo failed"
    gcc -O2 -o "$OUT/ref-load" "$BENCH/ref-load.c" -pthread || die "gcc ref-load failed"
    # The kit is read-only: build NettyRefEcho from a copy.
    rm -rf "$OUT/netty-ref-src" && mkdir -p "$OUT/netty-ref-src/netty-ref"
    cp "$BENCH/NettyRefEcho.java" "$OUT/netty-ref-src/" && cp "$BENCH/netty-ref/pom.xml" "$OUT/netty-ref-src/netty-ref/"
    (cd "$OUT/netty-ref-src" && "$ROOT/mvnw" -q -B -f netty-ref/pom.xml package > "$LOGS/mvn-netty-ref.log" 2>&1) \
        || { log "NettyRefEcho build failed (see $LOGS/mvn-netty-ref.log); its rows are skipped"; REFS=""; }
    echolab_ensure_jar "$ROOT/server/target/echolab-server.jar"
}

# Prints the command that starts server $1 (ref-echo, netty-ref:T, or a backend id[:arg]) on port $2.
server_cmd() {
    local name=${1%%:*} arg=${1#*:}
    [ "$arg" = "$1" ] && arg=
    case $name in
        ref-echo) echo "$OUT/ref-echo $2" ;;
        netty-ref) echo "$JAVA ${JAVA_OPTS[*]} -jar $OUT/netty-ref-src/netty-ref/target/netty-ref.jar --transport $arg --port $2" ;;
        netty) echo "$JAVA ${JAVA_OPTS[*]} -jar $ROOT/server/target/echolab-server.jar --backend netty --port $2 ${arg:+--transport $arg}" ;;
        pool) echo "$JAVA ${JAVA_OPTS[*]} -jar $ROOT/server/target/echolab-server.jar --backend pool --port $2 ${arg:+--threads $arg}" ;;
        *) echo "$JAVA ${JAVA_OPTS[*]} -jar $ROOT/server/target/echolab-server.jar --backend $name --port $2 ${arg:+--threads $arg}" ;;
    esac
}

SERVER_PID=
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -9 "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}
trap stop_server EXIT
trap 'exit 130' INT TERM

start_server() { # name port
    local cmd; cmd=$(server_cmd "$1" "$2")
    echo "== $(date -u +%FT%TZ) $cmd" >> "$LOGS/server.log"
    # shellcheck disable=SC2086
    taskset -c $SERVER_CPU $cmd >> "$LOGS/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 300); do
        kill -0 "$SERVER_PID" 2>/dev/null || { SERVER_PID=; return 1; }
        (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
        sleep 0.1
    done
    stop_server
    return 1
}

PORT=19300
run_one() { # server case pair partner -> appends one JSON line
    local server=$1 case=$2 pair=$3 partner=$4 depth conns out line
    depth=${case#d}; depth=${depth%%c*}; conns=${case#*c}
    PORT=$((PORT + 1))
    start_server "$server" "$PORT" || { echo "{\"server\":\"$server\",\"for\":\"$partner\",\"case\":\"$case\",\"pair\":$pair,\"failed\":true}" >> "$RESULTS"; return; }
    out=$LOGS/$server-for-$partner-$case-p$pair.log
    taskset -c $LOAD_CPU "$OUT/ref-load" -c "$conns" -p "$depth" -d "$DURATION" -w "$WARMUP" -S "$SERVER_PID" \
        -L "$server:$case:$pair" "127.0.0.1:$PORT" > "$out" 2>&1
    stop_server
    line=$(grep '^{' "$out") || line="{\"failed\":true}"
    echo "{\"server\":\"$server\",\"for\":\"$partner\",\"case\":\"$case\",\"pair\":$pair,\"ref_load\":$line}" >> "$RESULTS"
    log "$server $case pair $pair: $(sed -nE 's/.*"msgs_per_s":([0-9.]+).*"server_cpu_pct":([0-9.null]+).*/\1 msgs\/s, server \2% CPU/p' <<< "$line")"
}

build
log "$(date -u +%FT%TZ) on $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -r), $("$JAVA" -version 2>&1 | head -1)"
for case in $CASES; do
    for server in $BACKENDS $REFS; do
        for pair in $(seq "$PAIRS"); do
            run_one ref-echo "$case" "$pair" "$server"
            run_one "$server" "$case" "$pair" "$server"
        done
    done
done

python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def us_per_msg(r):
    lg = r.get("ref_load") or {}
    if r.get("failed") or lg.get("failed") or not lg.get("msgs_per_s") or lg.get("server_cpu_pct") is None:
        return None
    return lg["server_cpu_pct"] / 100 / lg["msgs_per_s"] * 1e6
# key: (backend the run belongs to, case, pair, "ref" or "own")
by = {(r["for"], r["case"], r["pair"], "ref" if r["server"] == "ref-echo" else "own"): us_per_msg(r) for r in rows}
cases = sorted({r["case"] for r in rows}, key=lambda c: (int(c.split("c")[1]), int(c[1:].split("c")[0])))
servers = list(dict.fromkeys(r["for"] for r in rows))
print("| server | " + " | ".join(f"{c}: us/msg (ratio median [min-max])" for c in cases) + " |")
print("|---|" + "---|" * len(cases))
for s in servers:
    cells = []
    for c in cases:
        pairs = sorted({k[2] for k in by if k[0] == s and k[1] == c})
        ratios, own = [], []
        for p in pairs:
            ref = by.get((s, c, p, "ref")); mine = by.get((s, c, p, "own"))
            if ref and mine:
                ratios.append(mine / ref); own.append(mine)
        cells.append(f"{statistics.median(own):.2f} ({statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}])" if ratios else "failed")
    print(f"| {s} | " + " | ".join(cells) + " |")
PY
