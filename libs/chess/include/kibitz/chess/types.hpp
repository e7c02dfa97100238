#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kibitz::chess {

// The two sides. `~c` is the other side.
enum class color : std::uint8_t { white = 0, black = 1 };

constexpr color operator~(color c) {
    return static_cast<color>(static_cast<int>(c) ^ 1);
}
// Colours and piece types index the library's tables (std::array, so the index is a size_t).
constexpr std::size_t index(color c) {
    return static_cast<std::size_t>(c);
}

// The six kinds of piece, in the order used by every table of the library.
enum class piece_type : std::uint8_t { pawn, knight, bishop, rook, queen, king };

constexpr std::size_t index(piece_type t) {
    return static_cast<std::size_t>(t);
}

// A coloured piece: white pawn..king are 0..5, black pawn..king 6..11, then `none`.
enum class piece : std::uint8_t { none = 12 };

constexpr piece make_piece(color c, piece_type t) {
    return static_cast<piece>(index(c) * 6 + index(t));
}
// Precondition for both: p != piece::none.
constexpr color color_of(piece p) {
    return static_cast<color>(static_cast<int>(p) / 6);
}
constexpr piece_type type_of(piece p) {
    return static_cast<piece_type>(static_cast<int>(p) % 6);
}

// A square 0..63: a1 = 0, b1 = 1, ..., h1 = 7, a2 = 8, ..., h8 = 63.
using square = int;
inline constexpr square no_square = 64;

// A table with one entry per square, indexed by a square (precondition: 0 <= s < 64, so never
// no_square). Otherwise a std::array<T, 64>: its size, iteration and comparison are the array's.
template<class T>
struct by_square : std::array<T, 64> {
    constexpr T& operator[](square s) { return std::array<T, 64>::operator[](slot(s)); }
    constexpr T const& operator[](square s) const { return std::array<T, 64>::operator[](slot(s)); }

private:
    static constexpr std::size_t slot(square s) { return static_cast<std::size_t>(s); }
};

constexpr square make_square(int file, int rank) {
    return rank * 8 + file;
}
constexpr int file_of(square s) {
    return s & 7;
}
constexpr int rank_of(square s) {
    return s >> 3;
}
// The rank as seen from side `c` (a white pawn's second rank and a black pawn's seventh are 1).
constexpr int relative_rank(color c, square s) {
    return c == color::white ? rank_of(s) : 7 - rank_of(s);
}

// "e4" for square 28. Precondition: 0 <= s < 64.
inline std::string square_name(square s) {
    return {static_cast<char>('a' + file_of(s)), static_cast<char>('1' + rank_of(s))};
}

// Parses "a1".."h8" (lower case only); nullopt for anything else.
constexpr std::optional<square> parse_square(std::string_view text) {
    if (text.size() != 2 || text[0] < 'a' || text[0] > 'h' || text[1] < '1' || text[1] > '8')
        return std::nullopt;
    return make_square(text[0] - 'a', text[1] - '1');
}

// Castling rights as a 4-bit set.
using castling_rights = std::uint8_t;
inline constexpr castling_rights white_king_side = 1;
inline constexpr castling_rights white_queen_side = 2;
inline constexpr castling_rights black_king_side = 4;
inline constexpr castling_rights black_queen_side = 8;
inline constexpr castling_rights all_castling = 15;

// A parse or validation outcome: the value, or no value and a short static reason (never both).
template<class T>
struct parsed {
    std::optional<T> value;
    std::string_view error;

    explicit operator bool() const { return value.has_value(); }
};

} // namespace kibitz::chess
