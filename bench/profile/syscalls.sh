#!/usr/bin/env bash
# System calls and CPU per delivery of one server under one bench case: figures that hold up on a
# loaded machine, unlike throughput. Counts every system call of the server over the whole run
# (connecting included: about a dozen per client, under 1 % of a run's deliveries) with
# `perf stat` tracepoints, and divides by the deliveries kibitz-bench counted.
#
#   bench/profile/syscalls.sh SERVER_CMD -- KIBITZ_BENCH_ARGS...
#   e.g. bench/profile/syscalls.sh build/bin/bench-server -- --scenario fanout --clients 1000 --window 8
# SERVER_CMD is run with `--port P` appended; BENCH_BIN (build/bin) holds kibitz-bench.
# Prints one line: deliveries, syscalls per delivery (total and per kind), server CPU µs per
# delivery over the measured window, deliveries/s.
set -euo pipefail
BIN=${BENCH_BIN:-build/bin}
server=()
while [[ $# -gt 0 && $1 != -- ]]; do server+=("$1"); shift; done
shift || true
PORT=${PORT:-$((22000 + RANDOM % 2000))}
ulimit -n "$(ulimit -Hn)"
log=$(mktemp)
"${server[@]}" --port "$PORT" >"$log" 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null || true; rm -f "$log" "$log.perf" "$log.json"' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$log" && break; sleep 0.1; done
KINDS="epoll_ctl epoll_wait recvfrom recvmsg sendmsg sendto writev read write timerfd_settime"
events="raw_syscalls:sys_enter"
for k in $KINDS; do events+=",syscalls:sys_enter_$k"; done
perf stat -x, -e "$events" -p "$SP" -o "$log.perf" &
PP=$!
sleep 0.2
"$BIN/kibitz-bench" --port "$PORT" --server-pid "$SP" --warmup 1 --duration 3 --hold 0 "$@" >"$log.json"
kill -INT $PP; wait $PP 2>/dev/null || true
python3 - "$log.perf" "$log.json" <<'PY'
import json, sys
counts = {}
for line in open(sys.argv[1]):
    f = line.strip().split(",")
    if len(f) > 2 and f[0].replace(".", "").isdigit():
        counts[f[2].split(":")[1].replace("sys_enter_", "")] = float(f[0])
d = json.loads(open(sys.argv[2]).read())
n = max(d["received"], 1)  # deliveries: every message each client received
total = counts.pop("sys_enter", 0)
kinds = " ".join(f"{k}={v/n:.3f}" for k, v in counts.items() if v)
print(f"{d['scenario']} window={d.get('window')} deliveries={d['received']} syscalls/delivery={total/n:.3f} [{kinds}] "
      f"cpu_us/delivery={d.get('server_cpu_us_per_msg', -1):.3f} per_s={d['per_s']:.0f} p50={d['latency_ms']['p50']:.2f}ms "
      f"server_wait={d.get('server_runq_wait_pct', -1):.0f}% lost={d['lost']}")
PY
