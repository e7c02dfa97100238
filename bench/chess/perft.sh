#!/usr/bin/env bash
# Benchmark, not a test: perft 6 from the start position with kibitz-chess and with stockfish's
# `go perft 6`, one after the other on the same machine. Prints both wall times and the ratio.
#
#   bench/chess/perft.sh [KIBITZ_CHESS] [DEPTH]
#
# KIBITZ_CHESS defaults to build/bin/kibitz-chess (the release preset: `cmake --preset release &&
# cmake --build build/release --target kibitz-chess`); the engine is $STOCKFISH, else stockfish
# on the PATH, else /usr/games/stockfish. Each side runs three times; the best time counts.
set -euo pipefail
cd "$(dirname "$0")/../.."

kibitz=${1:-build/bin/kibitz-chess}
depth=${2:-6}
stockfish=${STOCKFISH:-$(command -v stockfish || echo /usr/games/stockfish)}
[[ -x $kibitz ]] || { echo "no kibitz-chess at $kibitz (build the release preset)" >&2; exit 2; }
[[ -x $stockfish ]] || { echo "no stockfish at $stockfish" >&2; exit 2; }

now() { date +%s.%N; }

# Best of three runs of a command; prints "seconds count".
best_of_three() {
    local best="" count=""
    for _ in 1 2 3; do
        local t0 t1 out
        t0=$(now)
        out=$("$@")
        t1=$(now)
        count=$out
        best=$(awk -v a="$t0" -v b="$t1" -v best="$best" \
            'BEGIN { t = b - a; if (best == "" || t < best) best = t; printf "%.3f", best }')
    done
    echo "$best $count"
}

kibitz_perft() { "$kibitz" perft "$depth" | tail -n 1; }
stockfish_perft() {
    printf 'position startpos\ngo perft %s\nquit\n' "$depth" | "$stockfish" |
        awk '/^Nodes searched/ { print $3 }'
}

read -r kibitz_s kibitz_nodes < <(best_of_three kibitz_perft)
read -r stockfish_s stockfish_nodes < <(best_of_three stockfish_perft)

echo "perft $depth from the start position (best of 3, wall time)"
echo "kibitz-chess: ${kibitz_s} s  (${kibitz_nodes} nodes)"
echo "stockfish:    ${stockfish_s} s  (${stockfish_nodes} nodes, $("$stockfish" <<<quit | head -n 1))"
awk -v k="$kibitz_s" -v s="$stockfish_s" 'BEGIN { printf "ratio kibitz/stockfish: %.2f\n", k / s }'
if [[ $kibitz_nodes != "$stockfish_nodes" ]]; then
    echo "node counts differ!" >&2
    exit 1
fi
