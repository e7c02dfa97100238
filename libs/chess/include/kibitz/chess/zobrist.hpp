#pragma once

#include <kibitz/chess/types.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace kibitz::chess::zobrist {

// The random numbers of the Zobrist position key. They come from splitmix64 with a fixed seed,
// so keys are the same in every process and on every run (they may be stored or compared
// across servers). A key is the XOR of: one number per (piece, square) on the board, one per
// castling right held, one for the en-passant file when an en-passant capture is legal, and
// `side` when black is to move.
struct key_table {
    std::array<by_square<std::uint64_t>, 12> piece_square{};
    std::array<std::uint64_t, 4> castling{};
    std::array<std::uint64_t, 8> ep_file{};
    std::uint64_t side = 0;
};

namespace detail {

constexpr std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

constexpr key_table make_keys() {
    key_table k;
    std::uint64_t state = 0x4B6962697A436865ULL; // "KibizChe": the fixed seed
    for (auto& squares : k.piece_square)
        for (auto& key : squares)
            key = splitmix64(state);
    for (auto& key : k.castling)
        key = splitmix64(state);
    for (auto& key : k.ep_file)
        key = splitmix64(state);
    k.side = splitmix64(state);
    return k;
}

} // namespace detail

inline constexpr key_table keys = detail::make_keys();

inline constexpr std::uint64_t piece_square(piece p, square s) {
    return keys.piece_square[static_cast<std::size_t>(p)][s];
}

// The XOR of the keys of every right in the set.
inline constexpr std::uint64_t castling(castling_rights rights) {
    std::uint64_t k = 0;
    for (std::size_t i = 0; i < 4; ++i)
        if (rights & (1U << i)) k ^= keys.castling[i];
    return k;
}

// Precondition: 0 <= file < 8 (a file_of()).
inline constexpr std::uint64_t ep_file(int file) {
    return keys.ep_file[static_cast<std::size_t>(file)];
}

} // namespace kibitz::chess::zobrist
