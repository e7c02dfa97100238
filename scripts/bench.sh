#!/usr/bin/env bash
# Kibitz against the floor (a minimal corked C++ server) and the Node socket.io reference, same
# load, same machine, one run. Called by `make bench` after the release build. Runs bench-server
# (A), bench/floor-server (F) and bench/node/server.mjs (B) in turn, A F B A F B, a fresh server
# process for every run, the server pinned to core 0 and kibitz-bench to core 1; prints medians
# with [min-max] and the Kibitz/floor and Kibitz/Node ratios; writes
#   bench/results/latest.jsonl   every run's JSON line
#   bench/results/summary.md     the table, the machine and its load
#   bench/results/chart.png      the ratios against the targets (gnuplot)
# and copies the table and chart to docs/bench/.
#
#   BENCH_RUNS=5      runs per server and case
#   BENCH_QUICK=1     a short smoke version (one run each, shorter windows)
#   BENCH_BIN=dir     where bench-server and kibitz-bench are (build/bin)
#   BENCH_CASES="fanout-1000 private-1000"   only these cases
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BENCH_BIN:-build/bin}
RUNS=${BENCH_RUNS:-5}
QUICK=${BENCH_QUICK:-0}
OUT=bench/results
# Below the ephemeral range (32768-60999), so no client socket holds the port.
PORT=${BENCH_PORT:-21000}
WARMUP=1 DURATION=5 HOLD=3
if [[ $QUICK == 1 ]]; then
    RUNS=${BENCH_RUNS:-1} WARMUP=0.5 DURATION=2 HOLD=1
fi

for tool in "$BIN/bench-server" "$BIN/floor-server" "$BIN/kibitz-bench"; do
    [[ -x $tool ]] || { echo "bench: $tool is missing (make build)" >&2; exit 1; }
done
[[ -d node_modules/socket.io ]] || { echo "bench: node_modules/socket.io is missing (npm ci)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "bench: taskset is missing (util-linux)" >&2; exit 1; }

# Every connection is a descriptor, in the servers and in the load generator.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# The cases: name, then kibitz-bench arguments. Closed-loop windows keep about 25k deliveries
# in flight; the open-loop cases are the issue's latency targets.
declare -A CASE_ARGS=(
    [fanout-100]="--scenario fanout --clients 100 --window 256"
    [fanout-1000-w8]="--scenario fanout --clients 1000 --window 8"
    [fanout-1000]="--scenario fanout --clients 1000 --window 32"
    [fanout-10k]="--scenario fanout --clients 10000 --rate 5"
    [latency-1000]="--scenario fanout --clients 1000 --rate 50"
    [private-1000]="--scenario private --clients 1000"
    [connections-10k]="--scenario connections --clients 10000"
    # The most this machine allows: the open-files hard limit is 20,000 per process.
    [connections-19k]="--scenario connections --clients 19000"
    # fanout-1000 over TLS (wss://), Kibitz only: its cost is the ratio to fanout-1000.
    [fanout-1000-tls]="--scenario fanout --clients 1000 --window 32 --tls 1"
)
# Server arguments of a case (Kibitz and Node alike): the idle cases ping every 2 s, so the
# hold sees every connection's heartbeats (kibitz-bench counts the late ones).
declare -A CASE_SERVER_ARGS=(
    [connections-10k]="--ping-interval 2000"
    [connections-19k]="--ping-interval 2000"
)
CASES=${BENCH_CASES:-"fanout-100 fanout-1000-w8 fanout-1000 fanout-10k latency-1000 private-1000 connections-10k connections-19k fanout-1000-tls"}

mkdir -p "$OUT"
: >"$OUT/latest.jsonl"
LOADS="$OUT/.loads"
: >"$LOADS"
SERVER_PID=""
cleanup() { [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

# Starts one server on core 0 and waits for its "listening on" line; sets SERVER_PID.
start_server() {
    local which=$1 port=$2 tls=${3:-} extra=${4:-} log=$OUT/.server.log
    : >"$log"
    if [[ $which == kibitz && -n $tls ]]; then
        # A throw-away self-signed EC certificate (kibitz-bench does not verify it).
        [[ -f $OUT/.tls/cert.pem ]] || { mkdir -p "$OUT/.tls" && openssl req -x509 -newkey ec \
            -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$OUT/.tls/key.pem" \
            -out "$OUT/.tls/cert.pem" -subj /CN=localhost -days 2 2>/dev/null; }
        taskset -c 0 "$BIN/bench-server" --port "$port" --tls-cert "$OUT/.tls/cert.pem" \
            --tls-key "$OUT/.tls/key.pem" >"$log" 2>&1 &
    elif [[ $which == kibitz ]]; then
        # shellcheck disable=SC2086
        taskset -c 0 "$BIN/bench-server" --port "$port" $extra >"$log" 2>&1 &
    elif [[ $which == floor ]]; then
        taskset -c 0 "$BIN/floor-server" --port "$port" >"$log" 2>&1 &
    else
        # shellcheck disable=SC2086
        taskset -c 0 node bench/node/server.mjs --port "$port" $extra >"$log" 2>&1 &
    fi
    SERVER_PID=$!
    for _ in $(seq 100); do
        grep -q '^listening on ' "$log" && return 0
        sleep 0.1
    done
    echo "bench: $which did not start:" >&2
    cat "$log" >&2
    exit 1
}

stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

run_one() {
    local case=$1 which=$2 run=$3
    PORT=$((PORT + 1))
    start_server "$which" "$PORT" "$([[ $case == *-tls ]] && echo tls)" "${CASE_SERVER_ARGS[$case]:-}"
    # The idle cases hold at least 5 s: two heartbeats or more per connection.
    local hold=$HOLD
    [[ $case == connections-* && $QUICK != 1 ]] && hold=$((HOLD > 5 ? HOLD : 5))
    # shellcheck disable=SC2086
    local line
    line=$(timeout 300 taskset -c 1 "$BIN/kibitz-bench" ${CASE_ARGS[$case]} --port "$PORT" \
        --server-pid "$SERVER_PID" --label "$which" --case "$case" --run "$run" \
        --warmup "$WARMUP" --duration "$DURATION" --hold "$hold") || true
    stop_server
    cut -d' ' -f1 /proc/loadavg >>"$LOADS"
    if [[ -z $line ]]; then
        echo "bench: $case $which run $run failed" >&2
        return
    fi
    echo "$line" >>"$OUT/latest.jsonl"
    echo "  $case $which #$run: $(summary_of "$line")"
}

# One short progress line per run.
summary_of() {
    python3 -c 'import json,sys
d=json.loads(sys.argv[1])
if d["scenario"]=="connections":
    print("%.0f conn/s, %.0f B/conn, %d pings (%d late, longest gap %.0f ms), server waited %.0f%%" % (d["connects_per_s"], d.get("rss_per_conn_bytes", -1), d.get("pings", -1), d.get("late_pings", -1), d.get("ping_gap_max_ms", -1), d.get("server_runq_wait_pct", -1)))
else:
    print("%.0f/s, p50 %.1f ms, p99 %.1f ms, server %.0f%% cpu, %.2f us/msg, lost %d, client %.0f%% cpu, server waited %.0f%%" % (
        d["per_s"], d["latency_ms"]["p50"], d["latency_ms"]["p99"], d.get("server_cpu_pct", -1),
        d.get("server_cpu_us_per_msg", -1), d["lost"], d["client_cpu_pct"], d.get("server_runq_wait_pct", -1)))' "$1"
}

START=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: $RUNS run(s) per server and case; load average before: $LOAD_BEFORE"
for case in $CASES; do
    [[ -n ${CASE_ARGS[$case]:-} ]] || { echo "bench: unknown case $case" >&2; exit 1; }
    for run in $(seq "$RUNS"); do
        run_one "$case" kibitz "$run"
        # The reference servers speak plain HTTP only; the floor's memory per connection (a
        # fixed read buffer) is no reference.
        [[ $case == *-tls || $case == connections-* ]] || run_one "$case" floor "$run"
        [[ $case == *-tls ]] || run_one "$case" node "$run"
    done
done
ELAPSED=$(($(date +%s) - START))

# The table, the summary and the chart's data.
export BENCH_ELAPSED=$ELAPSED BENCH_LOAD_BEFORE=$LOAD_BEFORE BENCH_RUNS_DONE=$RUNS \
    BENCH_QUICK_DONE=$QUICK BENCH_LOADS_FILE=$LOADS
python3 - "$OUT" <<'PY'
import json, os, platform, statistics, subprocess, sys
out = sys.argv[1]
runs = [json.loads(l) for l in open(os.path.join(out, "latest.jsonl")) if l.strip()]

def values(case, server, key):
    vs = []
    for r in runs:
        if r.get("case") != case or r["server"] != server:
            continue
        v = r
        for k in key.split("."):
            v = v.get(k) if isinstance(v, dict) else None
        if isinstance(v, (int, float)):
            vs.append(float(v))
    return vs

def med(vs):
    return statistics.median(vs) if vs else None

def fmt(x, unit):
    if x is None:
        return "n/a"
    if unit == "/s":
        return f"{x/1e6:.2f}M" if x >= 1e6 else f"{x/1e3:.1f}k"
    if unit == "B":
        return f"{x/1024:.1f} KiB"
    if unit == "%":
        return f"{x:.0f} %"
    if unit == "ms":
        return f"{x:.1f} ms" if x >= 10 else f"{x:.2f} ms"
    return f"{x:.2f} µs"

def cell(case, server, key, unit):
    vs = values(case, server, key)
    if not vs:
        return "n/a", None
    return f"{fmt(med(vs), unit)} [{fmt(min(vs), unit)}–{fmt(max(vs), unit)}]", med(vs)

# (label, case, key, unit, better, target, floor_target): better "up" means a higher figure
# wins; target is (kind, value): ("ratio>=", x) Kibitz/Node, ("ratio<=", x), or ("abs<=", x) on
# Kibitz alone; floor_target is the least Kibitz/floor ("up") or the most ("down").
rows = [
    ("fanout 100: deliveries/s", "fanout-100", "per_s", "/s", "up", None, 1.0),
    ("fanout 100: server CPU per delivery", "fanout-100", "server_cpu_us_per_msg", "µs", "down", ("ratio<=", 0.12), 1.0),
    ("fanout 1000, 8 in flight: deliveries/s", "fanout-1000-w8", "per_s", "/s", "up", None, 1.0),
    ("fanout 1000, 8 in flight: server CPU per delivery", "fanout-1000-w8", "server_cpu_us_per_msg", "µs", "down", None, 1.0),
    ("fanout 1000, 32 in flight: deliveries/s", "fanout-1000", "per_s", "/s", "up", ("ratio>=", 8), 1.0),
    ("fanout 1000, 32 in flight: server CPU per delivery", "fanout-1000", "server_cpu_us_per_msg", "µs", "down", ("ratio<=", 0.12), 1.0),
    ("fanout 1000, 32 in flight: p50 latency (closed loop)", "fanout-1000", "latency_ms.p50", "ms", "down", None, None),
    ("fanout 10k at 5/s: p50 latency", "fanout-10k", "latency_ms.p50", "ms", "down", ("abs<=", 50), None),
    ("fanout 10k at 5/s: p99 latency", "fanout-10k", "latency_ms.p99", "ms", "down", None, None),
    ("fanout 10k at 5/s: server CPU", "fanout-10k", "server_cpu_pct", "%", "down", ("abs<=", 50), None),
    ("fanout 10k at 5/s: lost", "fanout-10k", "lost", "n", "down", None, None),
    ("private 1000: messages/s", "private-1000", "per_s", "/s", "up", ("ratio>=", 7), 1.0),
    ("private 1000: server CPU per message", "private-1000", "server_cpu_us_per_msg", "µs", "down", None, 1.0),
    ("connections 10k: memory per idle connection", "connections-10k", "rss_per_conn_bytes", "B", "down", ("ratio<=", 0.25), None),
    ("connections 19k: memory per idle connection", "connections-19k", "rss_per_conn_bytes", "B", "down", ("ratio<=", 0.25), None),
    ("connections 19k: heartbeats seen while held (2 s interval)", "connections-19k", "pings", "n", "up", None, None),
    ("connections 19k: late heartbeats (over 1 s past the interval)", "connections-19k", "late_pings", "n", "down", ("abs<=", 0), None),
    ("connections 10k: new connections/s", "connections-10k", "connects_per_s", "/s", "up", ("ratio>=", 6), None),
    ("connections 10k: server CPU per new connection", "connections-10k", "server_cpu_us_per_connect", "µs", "down", None, None),
    ("connections 10k: load generator CPU while connecting", "connections-10k", "client_cpu_pct_connect", "%", "down", None, None),
    ("1000 clients at 50k deliveries/s: p50 latency", "latency-1000", "latency_ms.p50", "ms", "down", None, None),
    ("1000 clients at 50k deliveries/s: p99 latency", "latency-1000", "latency_ms.p99", "ms", "down", ("ratio<=", 0.5), None),
]
SHORT = {
    "fanout 100: server CPU per delivery": "fanout 100\\nCPU/delivery",
    "fanout 1000, 32 in flight: deliveries/s": "fanout 1000\\ndeliveries/s",
    "fanout 1000, 32 in flight: server CPU per delivery": "fanout 1000\\nCPU/delivery",
    "private 1000: messages/s": "private 1000\\nmessages/s",
    "connections 10k: memory per idle connection": "10k idle\\nmemory/conn",
    "connections 19k: memory per idle connection": "19k idle\\nmemory/conn",
    "connections 10k: new connections/s": "10k\\nconnects/s",
    "1000 clients at 50k deliveries/s: p99 latency": "1000 @ 50k/s\\np99 latency",
}
def count_cell(case, server, key):
    v = values(case, server, key)
    return (f"{med(v):.0f} [{min(v):.0f}–{max(v):.0f}]" if v else "n/a", med(v))
lines = ["| metric | Kibitz | floor (minimal corked C++) | Node socket.io 4.8.4 | Kibitz/floor | Kibitz/Node | target | |",
         "|---|---|---|---|---|---|---|---|"]
chart = []
for label, case, key, unit, better, target, floor_target in rows:
    if unit == "n":
        (k, km), (f, fm), (n, nm) = (count_cell(case, w, key) for w in ("kibitz", "floor", "node"))
    else:
        (k, km), (f, fm), (n, nm) = (cell(case, w, key, unit) for w in ("kibitz", "floor", "node"))
    ratio = km / nm if km is not None and nm not in (None, 0) else None
    fratio = km / fm if km is not None and fm not in (None, 0) else None
    rtext = f"{ratio:.2f}×" if ratio is not None else "n/a"
    ftext = f"{fratio:.2f}×" if fratio is not None else "n/a"
    targets, oks = [], []
    if target:
        kind, t = target
        if kind == "ratio>=":
            targets.append(f"≥ {t}× Node"); oks.append(ratio is not None and ratio >= t if nm is not None else None)
        elif kind == "ratio<=":
            targets.append(f"≤ {t}× Node"); oks.append(ratio is not None and ratio <= t if nm is not None else None)
        else:
            targets.append(f"≤ {t:g} {unit}"); oks.append(km <= t if km is not None else None)
        if key == "rss_per_conn_bytes":
            targets.append("≤ 4 KB"); oks.append(km <= 4000 if km is not None else None)
    if floor_target and fm is not None:
        if better == "up":
            targets.append(f"≥ {floor_target:g}× floor"); oks.append(fratio is not None and fratio >= floor_target)
        else:
            targets.append(f"≤ {floor_target:g}× floor"); oks.append(fratio is not None and fratio <= floor_target)
    known = [o for o in oks if o is not None]
    mark = "" if km is None or not known else ("met" if all(known) else "**missed**")
    lines.append(f"| {label} | {k} | {f} | {n} | {ftext} | {rtext} | {', '.join(targets)} | {mark} |")
    # The chart: times better than Node (against the target) and than the floor.
    node_ok = ratio and ratio > 0 and target and target[0] != "abs<="
    floor_ok = fratio and fratio > 0 and floor_target
    if node_ok or floor_ok:
        adv = (ratio if better == "up" else 1 / ratio) if node_ok else float("nan")
        need = (target[1] if better == "up" else 1 / target[1]) if node_ok else float("nan")
        fadv = (fratio if better == "up" else 1 / fratio) if floor_ok else float("nan")
        chart.append((SHORT.get(label, label), adv, need, fadv))
# Contention: the share of the measured time each process waited, runnable, for its core
# (/proc/PID/schedstat): other work on the machine. High figures make the run unreliable.
lines += ["", "| case | server waited for core 0, Kibitz runs | floor runs | Node runs | load generator waited for core 1 |", "|---|---|---|---|---|"]
for case in ["fanout-100", "fanout-1000-w8", "fanout-1000", "fanout-10k", "latency-1000", "private-1000", "connections-10k", "connections-19k"]:
    kw = values(case, "kibitz", "server_runq_wait_pct")
    nw = values(case, "node", "server_runq_wait_pct")
    cw = sum((values(case, w, "client_runq_wait_pct") for w in ("kibitz", "floor", "node")), [])
    if kw or nw:
        lines.append(f"| {case} | {cell(case, 'kibitz', 'server_runq_wait_pct', '%')[0]} | {cell(case, 'floor', 'server_runq_wait_pct', '%')[0]} | {cell(case, 'node', 'server_runq_wait_pct', '%')[0]} | {fmt(med(cw), '%') if cw else 'n/a'} |")
table = "\n".join(lines)
print()
print(table)

loads = [float(x) for x in open(os.environ["BENCH_LOADS_FILE"]).read().split()] or [0.0]
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
quick = os.environ["BENCH_QUICK_DONE"] == "1"
summary = f"""# Kibitz against Node socket.io: latest measured results

{"**Smoke run (BENCH_QUICK=1): not representative.**" if quick else ""}
Medians of {os.environ["BENCH_RUNS_DONE"]} runs per server, [min–max]; the servers ran in turn
(Kibitz, floor, Node, Kibitz, ...), a fresh process for each run, the server pinned to core 0 and
`kibitz-bench` to core 1. Server CPU comes from /proc/PID/stat over the measured window, memory
from VmRSS before and after the connections are opened, the time spent waiting for a core from
/proc/PID/schedstat (other work on the machine: throughput and latency figures of runs with high
waits are unreliable; CPU per message and memory per connection hold up better).

{table}

The floor is `bench/floor-server`: one thread of Asio, hand-written framing, the bench protocol
only, every frame a read produces appended to per-socket buffers that leave in one write each
after the read (as uWebSockets does); what a naive corked server costs.

Cases (see `scripts/bench.sh`): fanout-100, fanout-1000-w8 and fanout-1000 are closed loops with
256, 8 and 32 broadcasts in flight; fanout-10k and latency-1000 are open loops at 5 and 50 broadcasts per
second (50k deliveries/s each); private-1000 keeps 1000 `dm`s in flight, each receiver sending
the next; connections-10k and connections-19k open 10k and 19k idle connections (256 at a time)
and hold them at least 5 s, both servers pinging every 2 s (`--ping-interval 2000`), so the
memory figure includes what heartbeats keep and kibitz-bench counts every connection's pings and
the late ones (more than 1 s past the interval; 19k: the open-files hard limit here is 20,000
per process).

Machine: {cpu}, {os.cpu_count()} cores, Linux {platform.release()}; Node {node}; commit {commit}.
Load average (1 min) before the runs {os.environ["BENCH_LOAD_BEFORE"].split()[0]}, after each run:
median {statistics.median(loads):.2f}, max {max(loads):.2f} (2 cores: above 2 means other work
competed with the pinned processes). Whole run: {int(os.environ["BENCH_ELAPSED"])//60} min
{int(os.environ["BENCH_ELAPSED"])%60} s.

Reproduce: `make bench` (or `scripts/bench.sh` with the release binaries in build/bin/).

![Kibitz/Node](chart.png)
"""
open(os.path.join(out, "summary.md"), "w").write(summary)
with open(os.path.join(out, ".chart.dat"), "w") as f:
    for label, adv, need, fadv in chart:
        f.write(f'"{label}" {adv:.4f} {need:.4f} {fadv:.4f}\n')
PY

# The chart: how many times better than Node, against the target (log scale).
if ! command -v gnuplot >/dev/null; then
    (apt-get install -y -qq gnuplot-nox >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq gnuplot-nox >/dev/null 2>&1; }) || true
fi
if command -v gnuplot >/dev/null && [[ -s $OUT/.chart.dat ]]; then
    gnuplot <<EOF
set terminal pngcairo size 1000,520 noenhanced font ",10"
set output "$OUT/chart.png"
set title "Kibitz vs Node socket.io 4.8.4 and the floor: times better (higher is better), medians of $RUNS runs"
set datafile missing "nan"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y 2
set yrange [0.25:*]
set grid ytics
set xtics scale 0
set bmargin 4
set key top right
plot "$OUT/.chart.dat" using 2:xtic(1) title "Kibitz / Node" lc rgb "#2b7bba", \
     "" using 3 title "target" lc rgb "#bbbbbb", \
     "" using 4 title "Kibitz / floor (1 = at the floor)" lc rgb "#e08a1e"
EOF
else
    echo "bench: no gnuplot, no chart" >&2
fi

mkdir -p docs/bench
cp "$OUT/summary.md" docs/bench/results.md
[[ -f $OUT/chart.png ]] && cp "$OUT/chart.png" docs/bench/chart.png
echo
echo "bench: $OUT/latest.jsonl, $OUT/summary.md, $OUT/chart.png; copied to docs/bench/ (${ELAPSED}s)"
