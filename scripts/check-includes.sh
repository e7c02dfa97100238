#!/usr/bin/env bash
# The include boundary (docs/architecture.md rule 8): a target includes only its own headers and
# those of the targets it links directly (scripts/check-includes.py says how it reads CMake).
#   scripts/check-includes.sh [build-dir]   check the source tree (default build/asan, configured)
#   scripts/check-includes.sh --self-test   the check on scripts/check-includes/fixture/: passes
#                                           without the planted include, fails with it
# `make test` runs the self-test, then the check.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--self-test" ]; then
    exec python3 scripts/check-includes.py "${1:-build/asan}"
fi

fixture=scripts/check-includes/fixture
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake -S "$fixture" -B "$tmp/good" -G Ninja -DPLANT_BAD=OFF >/dev/null
if ! python3 scripts/check-includes.py "$tmp/good" >"$tmp/good.txt"; then
    cat "$tmp/good.txt"
    echo "check-includes self-test: FAILED (the fixture without the planted include should pass)"
    exit 1
fi

cmake -S "$fixture" -B "$tmp/bad" -G Ninja -DPLANT_BAD=ON >/dev/null
if python3 scripts/check-includes.py "$tmp/bad" >"$tmp/bad.txt"; then
    cat "$tmp/bad.txt"
    echo "check-includes self-test: FAILED (the planted include of c from a passed)"
    exit 1
fi
# Exactly the planted lines, each named with the target it belongs to.
expected='a/src/bad.cpp:2: <c/c.hpp> belongs to c; a links directly only: b
a/src/bad.cpp:3: <d/d.hpp> belongs to d; a links directly only: b'
if [ "$(grep ':[0-9]*: ' "$tmp/bad.txt")" != "$expected" ]; then
    cat "$tmp/bad.txt"
    printf 'check-includes self-test: FAILED, expected exactly:\n%s\n' "$expected"
    exit 1
fi
echo "check-includes self-test: passed (the fixture passes; its two planted includes fail)"
