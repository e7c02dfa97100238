// libFuzzer target for the FEN parser: any bytes either fail with a reason or give a position
// that writes back to a FEN parsing to the same position, whose legal moves all survive the SAN
// and UCI round trips.
#include <kibitz/chess/fen.hpp>
#include <kibitz/chess/movegen.hpp>
#include <kibitz/chess/perft.hpp>
#include <kibitz/chess/san.hpp>
#include <kibitz/chess/uci.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace kibitz::chess;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    auto const parsed = parse_fen(text);
    if (!parsed) {
        if (parsed.error.empty()) __builtin_trap();
        return 0;
    }
    position const& pos = *parsed.value;
    auto const again = parse_fen(to_fen(pos));
    if (!again || !(*again.value == pos)) __builtin_trap();
    for (move const m : legal_moves(pos)) {
        if (parse_san(pos, to_san(pos, m)) != m) __builtin_trap();
        if (parse_uci(pos, to_uci(m)) != m) __builtin_trap();
        position next = pos;
        next.play(m);
        if (parse_fen(to_fen(next)).value != next) __builtin_trap();
    }
    if (perft(pos, 2) != [&] {
            std::uint64_t n = 0;
            for (auto const& [m, count] : divide(pos, 2))
                n += count;
            return n;
        }())
        __builtin_trap();
    return 0;
}
