#pragma once

#include <kibitz/chess/bitboard.hpp>
#include <kibitz/chess/move.hpp>
#include <kibitz/chess/types.hpp>

#include <array>
#include <cstdint>

namespace kibitz::chess {

// A position as written down (for example by a FEN), before any validation.
struct setup {
    by_square<piece> board = filled_with_none();
    color side_to_move = color::white;
    castling_rights castling = 0;
    square ep_square = no_square; // the square a pawn skipped, or no_square
    int halfmove_clock = 0;
    int fullmove_number = 1;

    static constexpr by_square<piece> filled_with_none() {
        by_square<piece> b{};
        b.fill(piece::none);
        return b;
    }
};

// A legal chess position: pieces, side to move, castling rights, en-passant square, the two move
// counters and the Zobrist key, kept in step by play(). Plain value type (about 150 bytes);
// copy it to keep the position before a move.
//
// Invariants (checked by from_setup, kept by play): one king per side; no pawn on the first or
// last rank; the side not to move is not in check; each castling right has its king and rook on
// their original squares; ep_square() is set only when an en-passant capture is legal (FIDE 9.2:
// only then does it make positions differ), so it may be no_square right after a double push.
class position {
public:
    // The standard starting position.
    static position start();

    // Validates `s` and builds the position, or returns the first rule it breaks: piece counts
    // (at most 16 men and 8 pawns a side, no more promoted pieces than missing pawns), exactly
    // one king a side, pawns on ranks 2-7, the side not to move not in check, at most two
    // checkers, castling rights matching king and rook squares, en-passant square on the right
    // rank behind a pawn that could just have made a double step, counters in range (halfmove
    // clock 0..9999, fullmove number 1..99999). An en-passant square with no legal capture is
    // dropped, not refused.
    static parsed<position> from_setup(setup const& s);

    piece piece_at(square s) const { return board_[s]; }
    bitboard occupied() const { return by_color_[0] | by_color_[1]; }
    bitboard pieces(color c) const { return by_color_[index(c)]; }
    bitboard pieces(piece_type t) const { return by_type_[index(t)]; }
    bitboard pieces(color c, piece_type t) const {
        return by_color_[index(c)] & by_type_[index(t)];
    }
    square king_square(color c) const { return lsb(pieces(c, piece_type::king)); }

    color side_to_move() const { return side_; }
    castling_rights castling() const { return castling_; }
    square ep_square() const { return ep_; }
    int halfmove_clock() const { return halfmove_; }
    int fullmove_number() const { return fullmove_; }

    // The 64-bit Zobrist key (see zobrist.hpp): equal for positions that are the same under the
    // FIDE repetition rule (same pieces, side to move, castling rights and en-passant chances).
    std::uint64_t key() const { return key_; }

    // Pieces of either colour that attack `s` with the board occupied by `occupied`.
    bitboard attackers_to(square s, bitboard occupied) const;
    // Whether any piece of colour `by` attacks `s` with the board occupied by `occupied`.
    bool attacked_by(color by, square s, bitboard occupied) const;
    // The pieces giving check to the side to move.
    bitboard checkers() const {
        return attackers_to(king_square(side_), occupied()) & pieces(~side_);
    }
    bool in_check() const { return checkers() != 0; }

    // Whether the pawn on `from` may legally capture en passant on ep_square() (its king is not
    // left in check, including the rank pin through both vanished pawns).
    bool en_passant_is_legal(square from) const { return ep_capture_legal(from, ep_); }

    // Plays `m`, which must be one of legal_moves(*this) (unchecked beyond asserts).
    void play(move m);

    friend bool operator==(position const&, position const&) = default;

private:
    position() = default;
    void put_piece(piece p, square s);
    void remove_piece(square s);
    void move_piece(square from, square to);
    void move_pieces(move m, color us);
    void set_ep_if_capturable(square ep);
    void update_castling(square from, square to);
    bool ep_capture_legal(square from, square ep) const;

    by_square<piece> board_ = setup::filled_with_none();
    std::array<bitboard, 6> by_type_{};
    std::array<bitboard, 2> by_color_{};
    std::uint64_t key_ = 0;
    color side_ = color::white;
    castling_rights castling_ = 0;
    square ep_ = no_square;
    int halfmove_ = 0;
    int fullmove_ = 1;
};

inline bitboard position::attackers_to(square s, bitboard occ) const {
    using enum piece_type;
    return (pawn_attacks(color::white, s) & pieces(color::black, pawn)) |
           (pawn_attacks(color::black, s) & pieces(color::white, pawn)) |
           (knight_attacks(s) & pieces(knight)) | (king_attacks(s) & pieces(king)) |
           (bishop_attacks(s, occ) & (pieces(bishop) | pieces(queen))) |
           (rook_attacks(s, occ) & (pieces(rook) | pieces(queen)));
}

inline bool position::attacked_by(color by, square s, bitboard occ) const {
    using enum piece_type;
    bitboard const them = pieces(by);
    return (pawn_attacks(~by, s) & them & pieces(pawn)) ||
           (knight_attacks(s) & them & pieces(knight)) || (king_attacks(s) & them & pieces(king)) ||
           (bishop_attacks(s, occ) & them & (pieces(bishop) | pieces(queen))) ||
           (rook_attacks(s, occ) & them & (pieces(rook) | pieces(queen)));
}

} // namespace kibitz::chess
