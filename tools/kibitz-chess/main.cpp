// kibitz-chess: the rules library on the command line.
//
//   kibitz-chess perft DEPTH [FEN]   leaf count of the legal move tree (last line, bare number)
//   kibitz-chess divide DEPTH [FEN]  "e2e4: 20" per root move, a blank line, then the total
//   kibitz-chess legal FEN           the legal moves in UCI, one per line
//
// The FEN may be one argument or the remaining arguments (joined by single spaces). A bad
// FEN, a bad depth or a bad command prints a message on stderr and exits with status 2.
#include <kibitz/chess/fen.hpp>
#include <kibitz/chess/movegen.hpp>
#include <kibitz/chess/perft.hpp>
#include <kibitz/chess/uci.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kibitz::chess;

constexpr int bad_usage = 2;
constexpr int max_depth = 12;

int usage() {
    std::fputs("usage: kibitz-chess perft DEPTH [FEN]\n"
               "       kibitz-chess divide DEPTH [FEN]\n"
               "       kibitz-chess legal FEN\n",
               stderr);
    return bad_usage;
}

std::optional<int> parse_depth(std::string_view text) {
    if (text.empty() || text.size() > 2) return std::nullopt;
    int depth = 0;
    for (char const c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        depth = depth * 10 + (c - '0');
    }
    if (depth > max_depth) return std::nullopt;
    return depth;
}

// The position named by args[first..], or the start position when there are none.
std::optional<position> parse_position(std::vector<std::string> const& args, std::size_t first) {
    std::string fen{start_fen};
    if (first < args.size()) {
        fen = args[first];
        for (std::size_t i = first + 1; i < args.size(); ++i)
            fen += ' ' + args[i];
    }
    auto parsed = parse_fen(fen);
    if (!parsed) {
        std::fprintf(stderr, "kibitz-chess: bad FEN: %.*s\n", static_cast<int>(parsed.error.size()),
                     parsed.error.data());
        return std::nullopt;
    }
    return parsed.value;
}

int run_divide(position const& pos, int depth) {
    auto counts = divide(pos, depth);
    std::vector<std::pair<std::string, std::uint64_t>> lines;
    for (auto const& [m, n] : counts)
        lines.emplace_back(to_uci(m), n);
    std::sort(lines.begin(), lines.end());
    std::uint64_t total = 0;
    for (auto const& [text, n] : lines) {
        std::printf("%s: %llu\n", text.c_str(), static_cast<unsigned long long>(n));
        total += n;
    }
    std::printf("\n%llu\n", static_cast<unsigned long long>(total));
    return 0;
}

int run(std::vector<std::string> const& args) {
    if (args.empty()) return usage();
    std::string const& command = args[0];
    if (command == "legal") {
        if (args.size() < 2) return usage();
        auto const pos = parse_position(args, 1);
        if (!pos) return bad_usage;
        for (move const m : legal_moves(*pos))
            std::printf("%s\n", to_uci(m).c_str());
        return 0;
    }
    if (command != "perft" && command != "divide") return usage();
    if (args.size() < 2) return usage();
    auto const depth = parse_depth(args[1]);
    if (!depth || (command == "divide" && *depth == 0)) {
        std::fprintf(stderr,
                     "kibitz-chess: DEPTH must be a whole number up to %d (divide: from 1)\n",
                     max_depth);
        return bad_usage;
    }
    auto const pos = parse_position(args, 2);
    if (!pos) return bad_usage;
    if (command == "divide") return run_divide(*pos, *depth);
    std::printf("%llu\n", static_cast<unsigned long long>(perft(*pos, *depth)));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return run(args);
}
