#!/usr/bin/env bash
# What the Admin UI's instrument costs (kibitz::admin, docs/admin.md): the fanout-1000 case of
# `make bench` against bench-server without the admin namespace, with it in production mode
# (server_stats every 2 s, the observer of sessions, sockets and rooms) and in development mode
# (also one admin broadcast per socket event), a fresh server per run, in turn (off prod dev,
# repeated), the server pinned to core 0 and kibitz-bench to core 1. Prints the medians of
# server CPU per delivery and deliveries/s with [min-max] and the ratios to "off", and writes
# bench/results/admin.md. Called by `make bench` after scripts/bench.sh.
#
#   BENCH_RUNS=3      runs per mode
#   BENCH_QUICK=1     one short run per mode
#   BENCH_BIN=dir     where bench-server and kibitz-bench are (build/bin)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BENCH_BIN:-build/bin}
RUNS=${BENCH_RUNS:-3}
QUICK=${BENCH_QUICK:-0}
OUT=bench/results
PORT=${BENCH_ADMIN_PORT:-21500}
WARMUP=1 DURATION=5
if [[ $QUICK == 1 ]]; then
    RUNS=${BENCH_RUNS:-1} WARMUP=0.5 DURATION=2
fi
ARGS="--scenario fanout --clients 1000 --window 32"

for tool in "$BIN/bench-server" "$BIN/kibitz-bench"; do
    [[ -x $tool ]] || { echo "bench-admin: $tool is missing (make build)" >&2; exit 1; }
done
command -v taskset >/dev/null || { echo "bench-admin: taskset is missing (util-linux)" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

mkdir -p "$OUT"
LINES="$OUT/.admin.jsonl"
: >"$LINES"
SERVER_PID=""
cleanup() { [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

run_one() {
    local mode=$1 run=$2 log=$OUT/.admin-server.log line
    PORT=$((PORT + 1))
    : >"$log"
    taskset -c 0 "$BIN/bench-server" --port "$PORT" --admin "$mode" >"$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        grep -q '^listening on ' "$log" && break
        sleep 0.1 # waiting for the server's first line, not timing the bench
    done
    grep -q '^listening on ' "$log" || { echo "bench-admin: bench-server did not start:" >&2; cat "$log" >&2; exit 1; }
    # shellcheck disable=SC2086
    line=$(timeout 300 taskset -c 1 "$BIN/kibitz-bench" $ARGS --port "$PORT" --server-pid "$SERVER_PID" \
        --label "admin-$mode" --case fanout-1000 --run "$run" --warmup "$WARMUP" --duration "$DURATION" \
        --hold 1) || true
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    [[ -n $line ]] || { echo "bench-admin: $mode run $run failed" >&2; return; }
    echo "$line" >>"$LINES"
    echo "  admin $mode #$run: $(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("%.0f/s, %.3f us/delivery, lost %d" % (d["per_s"], d.get("server_cpu_us_per_msg", -1), d["lost"]))' "$line")"
}

echo "bench-admin: fanout-1000, $RUNS run(s) per mode; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$RUNS"); do
    for mode in off production development; do
        run_one "$mode" "$run"
    done
done

python3 - "$LINES" "$OUT/admin.md" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def vals(mode, key):
    return [float(r[key]) for r in runs if r["server"] == f"admin-{mode}" and isinstance(r.get(key), (int, float))]
rows = []
base = {}
for mode in ["off", "production", "development"]:
    cpu, rate = vals(mode, "server_cpu_us_per_msg"), vals(mode, "per_s")
    if not cpu:
        rows.append(f"| {mode} | n/a | n/a | n/a |")
        continue
    m = statistics.median(cpu)
    base.setdefault("cpu", m)
    ratio = m / base["cpu"]
    rows.append(f"| {mode} | {m:.3f} µs [{min(cpu):.3f}–{max(cpu):.3f}] | "
                f"{statistics.median(rate)/1e3:.1f}k/s [{min(rate)/1e3:.1f}k–{max(rate)/1e3:.1f}k] | {ratio:.2f} |")
text = ("## The Admin UI instrument in `make bench` (fanout 1000, 32 in flight)\n\n"
        "| admin namespace | server CPU per delivery | deliveries/s | CPU / off |\n|---|---|---|---|\n"
        + "\n".join(rows) + f"\n\n{len(runs)} runs; scripts/bench-admin.sh.\n")
open(sys.argv[2], "w").write(text)
print(text)
PY
