// libFuzzer target for the SAN and UCI move parsers: the first byte picks a position, the rest
// is move text. A parsed move must be legal and must read back from its own SAN and UCI.
#include <kibitz/chess/fen.hpp>
#include <kibitz/chess/game.hpp>
#include <kibitz/chess/movegen.hpp>
#include <kibitz/chess/san.hpp>
#include <kibitz/chess/uci.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace kibitz::chess;

namespace {

// Positions with castling, en passant, promotions with and without capture, and ambiguity.
constexpr std::array<std::string_view, 8> fens = {
    start_fen,
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
    "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1",
    "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8",
    "rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3",
    "4k3/8/8/8/8/Q7/8/Q1Q1K3 w - - 0 1",
    "r3k3/1P4P1/8/8/8/8/1p4p1/R3K2R b KQq - 0 1",
    "1N2k1N1/8/8/8/8/8/8/1N2K1N1 w - - 0 1",
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) return 0;
    position const pos = parse_fen(fens[data[0] % fens.size()]).value.value();
    std::string_view const text(reinterpret_cast<char const*>(data + 1), size - 1);
    for (auto const parsed : {parse_san(pos, text), parse_uci(pos, text)}) {
        if (!parsed) continue;
        if (!is_legal(pos, *parsed)) __builtin_trap();
        if (parse_san(pos, to_san(pos, *parsed)) != parsed) __builtin_trap();
        if (parse_uci(pos, to_uci(*parsed)) != parsed) __builtin_trap();
    }
    game g(pos);
    if (g.play_san(text) != parse_san(pos, text)) __builtin_trap();
    return 0;
}
