#!/usr/bin/env bash
# Everything `make test` runs, in the order of the gates: format check, the asan and release
# builds with -Werror, the include boundary, unit tests under ASan/UBSan, clang-tidy,
# integration and interop tests with real clients, browser tests, short fuzz runs (10 s each;
# `make fuzz-long` gives each an hour). Stops at the first failing gate.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

step() { printf '\n== %s (at %ss) ==\n' "$*" "$SECONDS"; }

step "format check"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

step "build (asan preset: GCC, ASan + UBSan, -Werror)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"

# make run's build: GCC -O3 warns where -O1 does not (a false -Warray-bounds broke it twice).
step "build (release preset: make run's -O3 build, -Werror)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"

step "include boundary (scripts/check-includes.sh: only headers of directly linked targets)"
scripts/check-includes.sh --self-test
scripts/check-includes.sh build/asan

step "unit tests (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --preset asan -L unit -LE slow -j "$jobs"

step "clang-tidy (scripts/tidy.sh: the checks of .clang-tidy on libs/ and apps/)"
scripts/tidy.sh build/asan

step "package (cmake --install, then find_package(kibitz) from another project)"
tests/package/test_package.sh build/asan
tests/package/test_install.sh build/asan

export KIBITZ_BIN_DIR="$root/build/asan/bin"
if [ -d tests/interop ]; then
    step "interop tests (npm engine.io-client / socket.io-client, python3-engineio / socketio)"
    scripts/interop.sh
fi

if [ -d tests/web ]; then
    step "web client module tests (node --test tests/web/)"
    node --test --test-concurrency=1 tests/web/
fi

step "fault suite, brief (SIGKILL, SIGSTOP, locked database, EMFILE, disk full)"
scripts/faults.sh brief

if [ -d tests/browser ]; then
    step "browser tests (headless Chromium via playwright-core)"
    node --test --test-concurrency=1 tests/browser/
fi

step "fuzz (libFuzzer, clang, short runs)"
scripts/fuzz.sh 10

step "done"
