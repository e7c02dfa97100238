#pragma once

#include <kibitz/chess/types.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace kibitz::chess {

// A set of squares, bit n standing for square n.
using bitboard = std::uint64_t;

inline constexpr bitboard file_a_bb = 0x0101010101010101ULL;
inline constexpr bitboard file_h_bb = file_a_bb << 7;
inline constexpr bitboard rank_1_bb = 0xFFULL;
inline constexpr bitboard light_squares_bb = 0x55AA55AA55AA55AAULL;
inline constexpr bitboard dark_squares_bb = ~light_squares_bb;

constexpr bitboard bit(square s) {
    return bitboard{1} << s;
}
constexpr bitboard rank_bb(int rank) {
    return rank_1_bb << (8 * rank);
}
constexpr bitboard file_bb(int file) {
    return file_a_bb << file;
}
constexpr int popcount(bitboard b) {
    return std::popcount(b);
}
constexpr bool more_than_one(bitboard b) {
    return (b & (b - 1)) != 0;
}

// The lowest square of a non-empty set.
constexpr square lsb(bitboard b) {
    return std::countr_zero(b);
}

// Removes and returns the lowest square of a non-empty set.
constexpr square pop_lsb(bitboard& b) {
    square const s = lsb(b);
    b &= b - 1;
    return s;
}

// The set moved one square north (+8), south (-8), and so on; nothing wraps around the board.
constexpr bitboard shift_north(bitboard b) {
    return b << 8;
}
constexpr bitboard shift_south(bitboard b) {
    return b >> 8;
}
constexpr bitboard shift_east(bitboard b) {
    return (b & ~file_h_bb) << 1;
}
constexpr bitboard shift_west(bitboard b) {
    return (b & ~file_a_bb) >> 1;
}

namespace detail {

// Squares reached from `s` by the given (file, rank) steps, each taken once.
constexpr bitboard step_targets(square s, std::array<std::array<int, 2>, 8> const& steps,
                                std::size_t n) {
    bitboard b = 0;
    for (std::size_t i = 0; i < n; ++i) {
        int const f = file_of(s) + steps[i][0];
        int const r = rank_of(s) + steps[i][1];
        if (f >= 0 && f < 8 && r >= 0 && r < 8) b |= bit(make_square(f, r));
    }
    return b;
}

constexpr by_square<bitboard> step_table(std::array<std::array<int, 2>, 8> const& steps,
                                         std::size_t n) {
    by_square<bitboard> t{};
    for (square s = 0; s < 64; ++s)
        t[s] = step_targets(s, steps, n);
    return t;
}

inline constexpr by_square<bitboard> knight_table =
    step_table({{{1, 2}, {2, 1}, {2, -1}, {1, -2}, {-1, -2}, {-2, -1}, {-2, 1}, {-1, 2}}}, 8);
inline constexpr by_square<bitboard> king_table =
    step_table({{{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}}}, 8);
inline constexpr std::array<by_square<bitboard>, 2> pawn_table = {
    step_table({{{-1, 1}, {1, 1}}}, 2), step_table({{{-1, -1}, {1, -1}}}, 2)};

// One slider square's "fancy magic" entry: attacks[((occupied & mask) * magic) >> shift].
struct magic_entry {
    bitboard mask = 0;
    bitboard magic = 0;
    bitboard const* attacks = nullptr;
    unsigned shift = 0;

    bitboard operator()(bitboard occupied) const {
        return attacks[((occupied & mask) * magic) >> shift];
    }
};

// The slider and line tables, filled once on first use (thread-safe, see tables()).
struct slider_tables {
    slider_tables();

    by_square<magic_entry> bishop;
    by_square<magic_entry> rook;
    by_square<by_square<bitboard>> between;
    by_square<by_square<bitboard>> line;
    std::array<bitboard, 5248> bishop_attacks;
    std::array<bitboard, 102400> rook_attacks;
};

// The tables, built on the first call from any thread (a function-local static, so static
// initialisers elsewhere may use them too).
inline slider_tables const& tables() {
    static slider_tables const t;
    return t;
}

} // namespace detail

inline bitboard knight_attacks(square s) {
    return detail::knight_table[s];
}
inline bitboard king_attacks(square s) {
    return detail::king_table[s];
}
// The squares a pawn of colour `c` on `s` attacks.
inline bitboard pawn_attacks(color c, square s) {
    return detail::pawn_table[index(c)][s];
}
// Slider attacks from `s` given the occupied squares (the first blocker in each direction is
// included).
inline bitboard bishop_attacks(square s, bitboard occupied) {
    return detail::tables().bishop[s](occupied);
}
inline bitboard rook_attacks(square s, bitboard occupied) {
    return detail::tables().rook[s](occupied);
}
inline bitboard queen_attacks(square s, bitboard occupied) {
    return bishop_attacks(s, occupied) | rook_attacks(s, occupied);
}
// The squares strictly between two squares on a rank, file or diagonal; empty otherwise.
inline bitboard between(square a, square b) {
    return detail::tables().between[a][b];
}
// The whole rank, file or diagonal through two distinct aligned squares; empty otherwise.
inline bitboard line(square a, square b) {
    return detail::tables().line[a][b];
}

} // namespace kibitz::chess
