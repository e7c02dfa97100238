#!/usr/bin/env bash
# The cluster case of `make bench`: a Kibitz cluster (two bench-server --redis nodes on one
# redis-server) against a Node socket.io 4.8 cluster (two bench/cluster/node-server.mjs nodes,
# @socket.io/redis-adapter 8.3 classic, on a fresh redis-server of the same settings), under the
# same load from bench/cluster/loadgen.mjs: a broadcast from a client on the first node to clients
# spread on both (fanout), and private messages each crossing nodes (private). Both nodes of a
# cluster are pinned to core 0, Redis and the load generator to core 1. Writes
#   bench/results/cluster.jsonl    every run's JSON line
#   bench/results/cluster.md       the table (medians, [min-max]), the machine and its load
# and copies the table to docs/bench/cluster-results.md.
#
#   BENCH_CLUSTER_RUNS=3        runs per cluster and case
#   BENCH_CLUSTER_QUICK=1       one short run each
#   BENCH_BIN=dir               where bench-server is (build/bin)
#   BENCH_CLUSTER_CASES="fanout-200 private-200"
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BENCH_BIN:-build/bin}
RUNS=${BENCH_CLUSTER_RUNS:-3}
QUICK=${BENCH_CLUSTER_QUICK:-0}
OUT=bench/results
# Below the ephemeral range (32768-60999), away from scripts/bench.sh's 21000.
PORT=${BENCH_CLUSTER_PORT:-22000}
WARMUP=1 DURATION=5
if [[ $QUICK == 1 ]]; then
    RUNS=1 WARMUP=0.5 DURATION=2
fi
[[ -x $BIN/bench-server ]] || { echo "bench-cluster: $BIN/bench-server is missing (make build)" >&2; exit 1; }
[[ -d node_modules/@socket.io/redis-adapter ]] || { echo "bench-cluster: node_modules/@socket.io/redis-adapter is missing (npm ci)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "bench-cluster: redis-server is missing (scripts/deps.sh test)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "bench-cluster: taskset is missing (util-linux)" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

declare -A CASE_ARGS=(
    [fanout-200]="--scenario fanout --clients 200 --window 16"
    [private-200]="--scenario private --clients 200 --window 64"
)
CASES=${BENCH_CLUSTER_CASES:-"fanout-200 private-200"}

mkdir -p "$OUT"
: >"$OUT/cluster.jsonl"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Waits for "listening on" (or Redis's "Ready to accept") in a log; $2 is the pattern.
wait_log() {
    for _ in $(seq 150); do
        grep -q "$2" "$1" && return 0
        sleep 0.1
    done
    echo "bench-cluster: $1 did not start:" >&2
    cat "$1" >&2
    exit 1
}

stop_all() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    PIDS=()
}

# Starts Redis and two nodes of one kind; sets REDIS_PID, NODE_PIDS, NODE_PORTS.
start_cluster() {
    local which=$1 rport=$((PORT + 1)) p1=$((PORT + 2)) p2=$((PORT + 3))
    PORT=$((PORT + 3))
    taskset -c 1 redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no \
        >"$OUT/.redis.log" 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    wait_log "$OUT/.redis.log" "Ready to accept"
    NODE_PIDS=() NODE_PORTS=("$p1" "$p2")
    for port in "$p1" "$p2"; do
        local log=$OUT/.node-$port.log
        if [[ $which == kibitz ]]; then
            taskset -c 0 "$BIN/bench-server" --port "$port" --redis "redis://127.0.0.1:$rport" >"$log" 2>&1 &
        else
            taskset -c 0 node bench/cluster/node-server.mjs --port "$port" --redis "redis://127.0.0.1:$rport" >"$log" 2>&1 &
        fi
        NODE_PIDS+=("$!")
        PIDS+=("$!")
        wait_log "$log" "^listening on "
    done
}

run_one() {
    local case=$1 which=$2 run=$3 line
    start_cluster "$which"
    # shellcheck disable=SC2086
    line=$(timeout 120 taskset -c 1 node bench/cluster/loadgen.mjs ${CASE_ARGS[$case]} \
        --ports "$(IFS=,; echo "${NODE_PORTS[*]}")" --server-pids "$(IFS=,; echo "${NODE_PIDS[*]}")" \
        --redis-pid "$REDIS_PID" --label "$which" --case "$case" \
        --warmup "$WARMUP" --duration "$DURATION") || true
    stop_all
    if [[ -z $line ]]; then
        echo "bench-cluster: $case $which run $run failed" >&2
        return
    fi
    echo "$line" >>"$OUT/cluster.jsonl"
    echo "  $case $which #$run: $line"
}

START=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-cluster: $RUNS run(s) per cluster and case; load average before: $LOAD_BEFORE"
for case in $CASES; do
    [[ -n ${CASE_ARGS[$case]:-} ]] || { echo "bench-cluster: unknown case $case" >&2; exit 1; }
    for run in $(seq "$RUNS"); do
        run_one "$case" kibitz "$run"
        run_one "$case" node "$run"
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

BENCH_ELAPSED=$(($(date +%s) - START)) BENCH_LOAD_BEFORE=$LOAD_BEFORE BENCH_LOAD_AFTER=$LOAD_AFTER \
    BENCH_RUNS=$RUNS BENCH_QUICK=$QUICK python3 - "$OUT" <<'PY'
import json, os, statistics, subprocess, sys
out = sys.argv[1]
runs = [json.loads(l) for l in open(os.path.join(out, "cluster.jsonl")) if l.strip()]

def vals(case, label, key):
    vs = []
    for r in runs:
        if r["case"] != case or r["label"] != label:
            continue
        v = r
        for k in key.split("."):
            v = v.get(k) if isinstance(v, dict) else None
        if isinstance(v, (int, float)):
            vs.append(float(v))
    return vs

def cell(vs, f):
    return f"{f(statistics.median(vs))} [{f(min(vs))}–{f(max(vs))}]" if vs else "n/a"

rows = [("deliveries/s", "per_s", lambda x: f"{x/1e3:.1f}k", "up"),
        ("server CPU per delivery (both nodes)", "server_cpu_us_per_delivery", lambda x: f"{x:.2f} µs", "down"),
        ("p50 latency", "latency_ms.p50", lambda x: f"{x:.2f} ms", "down"),
        ("p99 latency", "latency_ms.p99", lambda x: f"{x:.2f} ms", "down"),
        ("servers' RSS, loaded (both nodes)", "server_rss_kib.loaded", lambda x: f"{x/1024:.1f} MiB", "down"),
        ("nodes waited for core 0 (other work)", "server_runq_wait_pct", lambda x: f"{x:.0f} %", "down"),
        ("Redis CPU", "redis_cpu_pct", lambda x: f"{x:.0f} %", "down"),
        ("load generator CPU", "client_cpu_pct", lambda x: f"{x:.0f} %", "down"),
        ("lost", "lost", lambda x: f"{x:.0f}", "down")]
lines = ["| case | metric | Kibitz cluster | Node cluster | Kibitz/Node |", "|---|---|---|---|---|"]
for case in dict.fromkeys(r["case"] for r in runs):
    for label, key, f, _ in rows:
        k, n = vals(case, "kibitz", key), vals(case, "node", key)
        ratio = (f"{statistics.median(k)/statistics.median(n):.2f}×"
                 if k and n and statistics.median(n) else "n/a")
        lines.append(f"| {case} | {label} | {cell(k, f)} | {cell(n, f)} | {ratio} |")
table = "\n".join(lines)
print("\n" + table)
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
quick = os.environ["BENCH_QUICK"] == "1"
md = f"""# Kibitz cluster against Node socket.io cluster: latest measured results

{"**Smoke run (BENCH_CLUSTER_QUICK=1): not representative.**" if quick else ""}
Two nodes on one redis-server each (scripts/bench-cluster.sh, method in docs/bench/cluster.md);
medians of {os.environ["BENCH_RUNS"]} run(s), [min–max]. Commit {commit}, {os.cpu_count()} cores.
Load average before {os.environ["BENCH_LOAD_BEFORE"]}, after {os.environ["BENCH_LOAD_AFTER"]}
(2 cores: above 2 means other work competed with the pinned processes).
Whole run: {os.environ["BENCH_ELAPSED"]} s.

{table}
"""
open(os.path.join(out, "cluster.md"), "w").write(md)
PY
mkdir -p docs/bench
cp "$OUT/cluster.md" docs/bench/cluster-results.md
echo "bench-cluster: $OUT/cluster.jsonl, $OUT/cluster.md; copied to docs/bench/cluster-results.md"
