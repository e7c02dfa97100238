#!/usr/bin/env bash
# Heap allocations per delivery of one server under one bench case, counted, not sampled: a
# figure that holds up on a loaded machine. Builds count_malloc.so (next to this script) into a
# temporary directory, runs SERVER_CMD under it (LD_PRELOAD), and lets kibitz-bench read the
# counter at the start and end of its measured window (server_allocs_per_msg).
#
#   bench/profile/allocs.sh SERVER_CMD -- KIBITZ_BENCH_ARGS...
#   e.g. bench/profile/allocs.sh build/bin/bench-server -- --scenario private --clients 1000
# SERVER_CMD is run with `--port P` appended; BENCH_BIN (build/bin) holds kibitz-bench.
# Prints one line: deliveries, allocations per delivery, server CPU µs per delivery, per second.
set -euo pipefail
BIN=${BENCH_BIN:-build/bin}
here=$(cd "$(dirname "$0")" && pwd)
server=()
while [[ $# -gt 0 && $1 != -- ]]; do server+=("$1"); shift; done
shift || true
PORT=${PORT:-$((24000 + RANDOM % 2000))}
ulimit -n "$(ulimit -Hn)"
tmp=$(mktemp -d)
cc -O2 -shared -fPIC -o "$tmp/count_malloc.so" "$here/count_malloc.c"
LD_PRELOAD="$tmp/count_malloc.so" "${server[@]}" --port "$PORT" >"$tmp/log" 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null || true; rm -rf "$tmp" "/tmp/count_malloc.$SP"' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$tmp/log" && break; sleep 0.1; done
"$BIN/kibitz-bench" --port "$PORT" --server-pid "$SP" --warmup 1 --duration 3 --hold 0 "$@" >"$tmp/json"
python3 - "$tmp/json" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
print(f"{d['scenario']} deliveries={d['received']} allocs/delivery={d.get('server_allocs_per_msg', -1):.2f} "
      f"cpu_us/delivery={d.get('server_cpu_us_per_msg', -1):.3f} per_s={d['per_s']:.0f} lost={d['lost']}")
PY
