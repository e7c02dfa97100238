#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, pure modules only) and runs each for SECONDS (default 20),
# starting from its seed corpus when it has one. A crash fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
shopt -s nullglob
for bin in build/fuzz/fuzz/*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    work=$(mktemp -d)
    seeds=()
    for dir in tests/fuzz/*/corpus/"$name"; do seeds+=("$dir"); done
    echo "fuzz: $name for ${seconds}s"
    "$bin" -max_total_time="$seconds" -print_final_stats=0 "$work" "${seeds[@]}" \
        >"$work.log" 2>&1 || { tail -50 "$work.log"; exit 1; }
    grep -E '^#[0-9]+.*DONE' "$work.log" | tail -1 || true
    rm -rf "$work" "$work.log"
done
