#!/usr/bin/env bash
# Long fuzzing runs: each libFuzzer target for CPU_SECONDS of CPU time (default 3600), counted
# from /proc so a loaded machine does not shorten a run, at the lowest priority. A run may span
# several sittings: the CPU time used so far and the inputs found so far are kept under
# build/fuzz/long/<target>/ (written every 10 s), so a run stopped by anything (a reboot, the end
# of a working session) goes on from there the next time, from the corpus it had grown. Once a
# target has had its CPU time, the inputs that add coverage are merged into the committed corpus
# (tests/fuzz/*/corpus/<target>), which is then minimised (the smallest set with the same coverage
# replaces it); a line of figures per target (CPU seconds, sittings, executions, coverage) is
# appended to build/fuzz/long-runs.txt; a crash stops with its reproducer kept in
# build/fuzz/artifacts/. (The executions in that line count the sittings that ended normally.)
#   scripts/fuzz-long.sh [CPU_SECONDS] [TARGET...]     (make fuzz-long; all targets by default)
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-3600}
shift || true
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
mkdir -p build/fuzz/artifacts
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for bin in build/fuzz/fuzz/*; do [ -x "$bin" ] && targets+=("$(basename "$bin")"); done
fi
ticks=$(getconf CLK_TCK)

cpu_seconds() { # utime + stime of one process, in whole seconds
    awk -v t="$ticks" '{ print int(($14 + $15) / t) }' "/proc/$1/stat" 2>/dev/null || echo 0
}

for name in "${targets[@]}"; do
    bin=build/fuzz/fuzz/$name
    corpus=$(ls -d tests/fuzz/*/corpus/"$name" 2>/dev/null | head -1)
    [ -n "$corpus" ] || { echo "fuzz-long: no committed corpus for $name" >&2; exit 1; }
    state=build/fuzz/long/$name
    work=$state/work
    mkdir -p "$work"
    before_s=$(cat "$state/cpu_s" 2>/dev/null || echo 0)
    sittings=$(( $(cat "$state/sittings" 2>/dev/null || echo 0) + 1 ))
    echo "$sittings" >"$state/sittings"
    log=build/fuzz/$name.long.log
    [ "$sittings" -gt 1 ] || : >"$log"
    echo "fuzz-long: $name for ${limit} CPU-seconds, ${before_s} done before (log $log)"
    used=$before_s
    if [ "$before_s" -lt "$limit" ]; then
        nice -n 19 "$bin" -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/"$name"- \
            "$work" "$corpus" >>"$log" 2>&1 &
        pid=$!
        # Stopped from outside: the fuzzer stops too (its time so far is already written).
        trap 'kill -INT "$pid" 2>/dev/null; exit 143' INT TERM HUP
        while kill -0 "$pid" 2>/dev/null; do
            used=$((before_s + $(cpu_seconds "$pid")))
            echo "$used" >"$state/cpu_s"
            [ "$used" -lt "$limit" ] || break
            sleep 10
        done
        kill -INT "$pid" 2>/dev/null || true
        status=0
        wait "$pid" || status=$?
        trap - INT TERM HUP
        if grep -q -E '^==[0-9]+== (ERROR|WARNING): libFuzzer|deadly signal|SUMMARY: ' "$log"; then
            grep -A30 -E 'ERROR|deadly signal' "$log" | head -60
            echo "fuzz-long: $name crashed (exit $status); reproducer in build/fuzz/artifacts/" >&2
            exit 1
        fi
    fi
    before=$(ls "$corpus" | wc -l)
    minimal=$(mktemp -d)
    "$bin" -merge=1 "$minimal" "$corpus" "$work" >"$log.merge" 2>&1
    rm -f "$corpus"/*
    cp "$minimal"/* "$corpus"/
    after=$(ls "$corpus" | wc -l)
    execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | awk '{ s += $NF } END { print s + 0 }')
    cov=$(grep -oE '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || echo '?')
    line="$(date -u +%FT%TZ) $name cpu_s=$used sittings=$sittings execs>=$execs $cov corpus=$before->$after"
    echo "$line" | tee -a build/fuzz/long-runs.txt
    rm -rf "$minimal" "$state"
done
