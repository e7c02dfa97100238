#pragma once

#include <kibitz/chess/types.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace kibitz::chess {

// What a move does beyond lifting a piece from one square to another.
enum class move_kind : std::uint8_t { normal, promotion, en_passant, castling };

// A move in 16 bits: from, to, kind and promotion piece. Castling is the king's move by two
// squares (e1g1), as in UCI. The default value is the null move, which is never legal.
class move {
public:
    constexpr move() = default;

    static constexpr move normal(square from, square to) {
        return move(from, to, move_kind::normal, piece_type::knight);
    }
    // Precondition: `to` is knight, bishop, rook or queen.
    static constexpr move promotion(square from, square to, piece_type to_piece) {
        return move(from, to, move_kind::promotion, to_piece);
    }
    static constexpr move en_passant(square from, square to) {
        return move(from, to, move_kind::en_passant, piece_type::knight);
    }
    static constexpr move castling(square king_from, square king_to) {
        return move(king_from, king_to, move_kind::castling, piece_type::knight);
    }

    constexpr square from() const { return bits_ & 63; }
    constexpr square to() const { return (bits_ >> 6) & 63; }
    constexpr move_kind kind() const { return static_cast<move_kind>((bits_ >> 12) & 3); }
    // Meaningful only for promotions.
    constexpr piece_type promotion_piece() const {
        return static_cast<piece_type>(((bits_ >> 14) & 3) + 1);
    }
    constexpr bool is_null() const { return bits_ == 0; }
    constexpr std::uint16_t bits() const { return bits_; }

    friend constexpr bool operator==(move, move) = default;

private:
    constexpr move(square from, square to, move_kind kind, piece_type promo)
        : bits_(static_cast<std::uint16_t>(from | (to << 6) | (static_cast<int>(kind) << 12) |
                                           ((static_cast<int>(promo) - 1) << 14))) {}

    std::uint16_t bits_ = 0;
};

// A fixed-capacity list of moves; no chess position has more than 218 legal moves.
class move_list {
public:
    static constexpr std::size_t capacity = 256;

    void push_back(move m) { moves_[size_++] = m; }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    move operator[](std::size_t i) const { return moves_[i]; }
    move const* begin() const { return moves_.data(); }
    move const* end() const { return moves_.data() + size_; }
    bool contains(move m) const {
        for (move x : *this)
            if (x == m) return true;
        return false;
    }

private:
    std::array<move, capacity> moves_;
    std::size_t size_ = 0;
};

} // namespace kibitz::chess
