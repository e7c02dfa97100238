#!/usr/bin/env bash
# Installs the build tree BUILD into a temporary prefix, builds tests/package/consumer against it
# with find_package(kibitz), starts it and checks that a Socket.IO client gets an ack from it.
#   tests/package/test_package.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null || true' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
flags=$(grep -E '^CMAKE_CXX_FLAGS:' "$build/CMakeCache.txt" | cut -d= -f2-)
ldflags=$(grep -E '^CMAKE_EXE_LINKER_FLAGS:' "$build/CMakeCache.txt" | cut -d= -f2-)
cmake -S "$root/tests/package/consumer" -B "$work/build" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$ldflags" >/dev/null
cmake --build "$work/build" >/dev/null

"$work/build/consumer" >"$work/out" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/out")
node --input-type=module -e "
import { io } from '$root/node_modules/socket.io-client/build/esm-debug/index.js';
const s = io('$url', { transports: ['websocket'] });
const reply = await s.timeout(5000).emitWithAck('ping', 'pong');
if (reply !== 'pong') { console.error('unexpected', reply); process.exit(1); }
const refused = await s.timeout(5000).emitWithAck('ping', 5);
if (refused?.error !== 'invalid arguments') { console.error('unexpected', refused); process.exit(1); }
s.on('hello', (n, cb) => cb('hi', n + 1));
const back = new Promise((resolve) => s.once('hello-back', resolve));
s.emit('greet');
const answer = await Promise.race([back, new Promise((r) => setTimeout(() => r('none'), 5000))]);
if (JSON.stringify(answer) !== JSON.stringify(['hi', 2])) { console.error('unexpected', answer); process.exit(1); }
s.close();
console.log('package: find_package(kibitz) consumer answered');
"
