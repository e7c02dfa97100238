#include <kibitz/chess/position.hpp>

#include <kibitz/chess/zobrist.hpp>

#include <algorithm>
#include <string_view>

namespace kibitz::chess {
namespace {

using enum piece_type;

// The first material rule that `s` breaks, or an empty view.
std::string_view material_error(setup const& s) {
    std::array<std::array<int, 6>, 2> count{};
    for (square sq = 0; sq < 64; ++sq) {
        piece const p = s.board[sq];
        if (p == piece::none) continue;
        if (static_cast<int>(p) > static_cast<int>(piece::none)) return "bad piece";
        if (type_of(p) == pawn && (rank_of(sq) == 0 || rank_of(sq) == 7))
            return "pawn on the first or last rank";
        ++count[index(color_of(p))][index(type_of(p))];
    }
    for (auto const& c : count) {
        if (c[index(king)] != 1) return "each side needs exactly one king";
        int total = 0;
        for (int n : c)
            total += n;
        if (total > 16) return "more than 16 pieces for one side";
        if (c[index(pawn)] > 8) return "more than 8 pawns for one side";
        int const promoted = std::max(0, c[index(knight)] - 2) + std::max(0, c[index(bishop)] - 2) +
                             std::max(0, c[index(rook)] - 2) + std::max(0, c[index(queen)] - 1);
        if (promoted > 8 - c[index(pawn)]) return "more promoted pieces than missing pawns";
    }
    return {};
}

// Whether every castling right in `rights` has its king and rook on their original squares.
bool castling_consistent(setup const& s) {
    struct right {
        castling_rights bit;
        color side;
        square king;
        square rook;
    };
    constexpr std::array<right, 4> rights = {{{white_king_side, color::white, 4, 7},
                                              {white_queen_side, color::white, 4, 0},
                                              {black_king_side, color::black, 60, 63},
                                              {black_queen_side, color::black, 60, 56}}};
    for (right const& r : rights) {
        if (!(s.castling & r.bit)) continue;
        if (s.board[r.king] != make_piece(r.side, king)) return false;
        if (s.board[r.rook] != make_piece(r.side, rook)) return false;
    }
    return true;
}

// Whether `s.ep_square` is a square a pawn of the side not to move can just have skipped.
bool ep_consistent(setup const& s) {
    square const ep = s.ep_square;
    if (ep == no_square) return true;
    if (ep < 0 || ep >= 64) return false;
    color const mover = s.side_to_move;
    int const step = mover == color::white ? 8 : -8;
    if (relative_rank(mover, ep) != 5) return false;
    return s.board[ep] == piece::none && s.board[ep + step] == piece::none &&
           s.board[ep - step] == make_piece(~mover, pawn);
}

} // namespace

parsed<position> position::from_setup(setup const& s) {
    if (auto const error = material_error(s); !error.empty()) return {std::nullopt, error};
    if (s.side_to_move != color::white && s.side_to_move != color::black)
        return {std::nullopt, "bad side to move"};
    if (s.halfmove_clock < 0 || s.halfmove_clock > 9999)
        return {std::nullopt, "halfmove clock out of range"};
    if (s.fullmove_number < 1 || s.fullmove_number > 99999)
        return {std::nullopt, "fullmove number out of range"};
    if ((s.castling & ~all_castling) != 0 || !castling_consistent(s))
        return {std::nullopt, "castling rights without king and rook on their squares"};
    if (!ep_consistent(s)) return {std::nullopt, "en-passant square inconsistent"};

    position p;
    for (square sq = 0; sq < 64; ++sq)
        if (s.board[sq] != piece::none) p.put_piece(s.board[sq], sq);
    p.side_ = s.side_to_move;
    if (p.side_ == color::black) p.key_ ^= zobrist::keys.side;
    p.castling_ = s.castling;
    p.key_ ^= zobrist::castling(s.castling);
    p.halfmove_ = s.halfmove_clock;
    p.fullmove_ = s.fullmove_number;

    if (p.attacked_by(p.side_, p.king_square(~p.side_), p.occupied()))
        return {std::nullopt, "the side not to move is in check"};
    if (popcount(p.checkers()) > 2) return {std::nullopt, "more than two pieces give check"};
    if (s.ep_square != no_square) p.set_ep_if_capturable(s.ep_square);
    return {p, {}};
}

} // namespace kibitz::chess
