#!/usr/bin/env bash
# Interop tests: the real server binaries against real clients.
#   1. node:test suites under tests/interop/ (npm engine.io-client, raw HTTP and raw WebSocket);
#      tests/interop/cluster/ and tests/interop/cluster-apps/ start their own redis-server and
#      PostgreSQL 15 (Debian packages; scripts/deps.sh test) on free loopback ports;
#   2. the Python suites under tests/python/ (Debian python3-engineio, /usr/bin/python3).
# Binaries come from $KIBITZ_BIN_DIR (default build/asan/bin, relative to the repo root). Both
# suites always run; the exit status is non-zero if either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export KIBITZ_BIN_DIR="${KIBITZ_BIN_DIR:-build/asan/bin}"

status=0

echo "-- node --test tests/interop/ (KIBITZ_BIN_DIR=$KIBITZ_BIN_DIR)"
node --test --test-concurrency=1 --test-reporter=spec tests/interop/ || status=1

echo "-- python3 -m unittest tests/python"
/usr/bin/python3 -W ignore::ResourceWarning -m unittest discover -s tests/python -p 'test_*.py' -v || status=1

if [ "$status" -ne 0 ]; then
    echo "interop: FAILED"
else
    echo "interop: all passed"
fi
exit "$status"
