#include <kibitz/chess/position.hpp>

#include <kibitz/chess/zobrist.hpp>

#include <cassert>

namespace kibitz::chess {
namespace {

using enum piece_type;

// The castling rights that survive a move touching square s (king or rook leaving, rook taken).
constexpr by_square<castling_rights> castling_keep = [] {
    by_square<castling_rights> keep{};
    keep.fill(all_castling);
    keep[make_square(4, 0)] = all_castling & ~(white_king_side | white_queen_side);
    keep[make_square(7, 0)] = all_castling & ~white_king_side;
    keep[make_square(0, 0)] = all_castling & ~white_queen_side;
    keep[make_square(4, 7)] = all_castling & ~(black_king_side | black_queen_side);
    keep[make_square(7, 7)] = all_castling & ~black_king_side;
    keep[make_square(0, 7)] = all_castling & ~black_queen_side;
    return keep;
}();

// The pawn square one step forward for side c.
constexpr int forward(color c) {
    return c == color::white ? 8 : -8;
}

} // namespace

void position::put_piece(piece p, square s) {
    board_[s] = p;
    by_type_[index(type_of(p))] |= bit(s);
    by_color_[index(color_of(p))] |= bit(s);
    key_ ^= zobrist::piece_square(p, s);
}

void position::remove_piece(square s) {
    piece const p = board_[s];
    board_[s] = piece::none;
    by_type_[index(type_of(p))] ^= bit(s);
    by_color_[index(color_of(p))] ^= bit(s);
    key_ ^= zobrist::piece_square(p, s);
}

void position::move_piece(square from, square to) {
    piece const p = board_[from];
    bitboard const both = bit(from) | bit(to);
    board_[from] = piece::none;
    board_[to] = p;
    by_type_[index(type_of(p))] ^= both;
    by_color_[index(color_of(p))] ^= both;
    key_ ^= zobrist::piece_square(p, from) ^ zobrist::piece_square(p, to);
}

void position::update_castling(square from, square to) {
    castling_rights const next = castling_ & castling_keep[from] & castling_keep[to];
    key_ ^= zobrist::castling(castling_ ^ next);
    castling_ = next;
}

bool position::ep_capture_legal(square from, square ep) const {
    color const us = side_;
    square const captured = ep - forward(us);
    bitboard const occ = (occupied() ^ bit(from) ^ bit(captured)) | bit(ep);
    bitboard const them = pieces(~us) ^ bit(captured);
    return (attackers_to(king_square(us), occ) & them) == 0;
}

// Called with the side to move already switched to the side that could capture on `ep`.
void position::set_ep_if_capturable(square ep) {
    bitboard candidates = pawn_attacks(~side_, ep) & pieces(side_, pawn);
    while (candidates) {
        if (ep_capture_legal(pop_lsb(candidates), ep)) {
            ep_ = ep;
            key_ ^= zobrist::ep_file(file_of(ep));
            return;
        }
    }
}

// The board part of play(): lifts and drops the pieces of `m` (a capture on `to` is gone already).
void position::move_pieces(move m, color us) {
    square const from = m.from();
    square const to = m.to();
    switch (m.kind()) {
    case move_kind::normal:
        move_piece(from, to);
        break;
    case move_kind::promotion:
        remove_piece(from);
        put_piece(make_piece(us, m.promotion_piece()), to);
        break;
    case move_kind::en_passant:
        remove_piece(to - forward(us));
        move_piece(from, to);
        break;
    case move_kind::castling: {
        bool const king_side = to > from;
        move_piece(from, to);
        move_piece(king_side ? to + 1 : to - 2, king_side ? to - 1 : to + 1);
        break;
    }
    }
}

void position::play(move m) {
    square const from = m.from();
    square const to = m.to();
    piece const moved = board_[from];
    assert(moved != piece::none && color_of(moved) == side_);
    color const us = side_;
    bool const pawn_move = type_of(moved) == pawn;

    ++halfmove_;
    if (us == color::black) ++fullmove_;
    if (ep_ != no_square) key_ ^= zobrist::ep_file(file_of(ep_));
    ep_ = no_square;
    if (pawn_move) halfmove_ = 0;
    if (board_[to] != piece::none) {
        assert(type_of(board_[to]) != king && color_of(board_[to]) != us);
        halfmove_ = 0;
        remove_piece(to);
    }
    update_castling(from, to);

    move_pieces(m, us);

    side_ = ~us;
    key_ ^= zobrist::keys.side;
    if (pawn_move && (to - from == 16 || from - to == 16)) set_ep_if_capturable(from + forward(us));
}

position position::start() {
    setup s;
    constexpr std::array<piece_type, 8> back = {rook, knight, bishop, queen,
                                                king, bishop, knight, rook};
    int f = 0;
    for (piece_type const t : back) {
        s.board[make_square(f, 0)] = make_piece(color::white, t);
        s.board[make_square(f, 1)] = make_piece(color::white, pawn);
        s.board[make_square(f, 6)] = make_piece(color::black, pawn);
        s.board[make_square(f, 7)] = make_piece(color::black, t);
        ++f;
    }
    s.castling = all_castling;
    auto p = from_setup(s);
    assert(p.value.has_value());
    return *p.value;
}

} // namespace kibitz::chess
