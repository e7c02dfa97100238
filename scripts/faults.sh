#!/usr/bin/env bash
# The fault suite (tests/faults/): the real kibitz binary under SIGKILL, SIGSTOP, a locked
# database, too few file descriptors and a full disk, with real socket.io clients.
#   scripts/faults.sh          the full run (`make faults`: more rounds, more load)
#   scripts/faults.sh brief    the short run that `make test` includes
# Binaries come from $KIBITZ_BIN_DIR (default build/asan/bin). Each test prints its figures as
# lines starting with "# fault:".
set -euo pipefail
cd "$(dirname "$0")/.."
export KIBITZ_BIN_DIR="${KIBITZ_BIN_DIR:-build/asan/bin}"
export KIBITZ_FAULTS_SCALE="${1:-full}"
node --test --test-concurrency=1 --test-reporter=spec tests/faults/
