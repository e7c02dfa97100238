#include <kibitz/chess/movegen.hpp>

namespace kibitz::chess {
namespace {

using enum piece_type;

// Shared state of one generation: the masks every non-king move must respect.
struct gen_context {
    position const& pos;
    move_list& list;
    square king;
    bitboard us;
    bitboard them;
    bitboard occupied;
    bitboard check_mask; // squares that capture or block the single checker (all if no check)
    bitboard pinned;     // our pieces pinned to our king
};

// Our pieces that stand alone between our king and an enemy slider.
bitboard pinned_pieces(position const& pos, color us, square king) {
    color const them = ~us;
    bitboard const their = pos.pieces(them);
    bitboard snipers =
        (rook_attacks(king, their) & (pos.pieces(them, rook) | pos.pieces(them, queen))) |
        (bishop_attacks(king, their) & (pos.pieces(them, bishop) | pos.pieces(them, queen)));
    bitboard pinned = 0;
    bitboard const occ = pos.occupied();
    while (snipers) {
        bitboard const blockers = between(king, pop_lsb(snipers)) & occ;
        if (blockers && !more_than_one(blockers)) pinned |= blockers & pos.pieces(us);
    }
    return pinned;
}

void add_all(move_list& list, square from, bitboard targets) {
    while (targets)
        list.push_back(move::normal(from, pop_lsb(targets)));
}

void add_promotions(move_list& list, square from, square to) {
    list.push_back(move::promotion(from, to, queen));
    list.push_back(move::promotion(from, to, rook));
    list.push_back(move::promotion(from, to, bishop));
    list.push_back(move::promotion(from, to, knight));
}

// Adds pawn moves landing on `targets`, each coming from `to - delta`.
template<color Us>
void add_pawn_targets(gen_context& g, bitboard targets, int delta) {
    constexpr bitboard last_rank = rank_bb(Us == color::white ? 7 : 0);
    bitboard promo = targets & last_rank;
    targets &= ~last_rank;
    while (targets) {
        square const to = pop_lsb(targets);
        g.list.push_back(move::normal(to - delta, to));
    }
    while (promo) {
        square const to = pop_lsb(promo);
        add_promotions(g.list, to - delta, to);
    }
}

template<color Us>
void pawn_moves(gen_context& g) {
    constexpr int up = Us == color::white ? 8 : -8;
    constexpr bitboard third_rank = rank_bb(Us == color::white ? 2 : 5);
    auto const push = [](bitboard b) { return Us == color::white ? b << 8 : b >> 8; };
    bitboard const pawns = g.pos.pieces(Us, pawn);
    bitboard const empty = ~g.occupied;

    // Unpinned pawns, set-wise.
    bitboard const free = pawns & ~g.pinned;
    bitboard const single = push(free) & empty;
    add_pawn_targets<Us>(g, single & g.check_mask, up);
    add_pawn_targets<Us>(g, push(single & third_rank) & empty & g.check_mask, 2 * up);
    add_pawn_targets<Us>(g, shift_west(push(free)) & g.them & g.check_mask, up - 1);
    add_pawn_targets<Us>(g, shift_east(push(free)) & g.them & g.check_mask, up + 1);

    // Pinned pawns move only along the pin line.
    bitboard pinned = pawns & g.pinned;
    while (pinned) {
        square const from = pop_lsb(pinned);
        bitboard const allowed = line(g.king, from) & g.check_mask;
        bitboard const one = push(bit(from)) & empty;
        bitboard targets =
            (one | (push(one & third_rank) & empty)) | (pawn_attacks(Us, from) & g.them);
        targets &= allowed;
        while (targets) {
            square const to = pop_lsb(targets);
            if (rank_of(to) == 0 || rank_of(to) == 7)
                add_promotions(g.list, from, to);
            else
                g.list.push_back(move::normal(from, to));
        }
    }
}

// En passant: rare, so each capture is checked by playing it out on the bitboards (this covers
// pins, the rank pin through both pawns, and captures of a checking pawn).
template<color Us>
void en_passant_moves(gen_context& g) {
    square const ep = g.pos.ep_square();
    if (ep == no_square) return;
    bitboard capturers = pawn_attacks(~Us, ep) & g.pos.pieces(Us, pawn);
    while (capturers) {
        square const from = pop_lsb(capturers);
        if (g.pos.en_passant_is_legal(from)) g.list.push_back(move::en_passant(from, ep));
    }
}

template<color Us>
void piece_moves(gen_context& g) {
    bitboard const targets = ~g.us & g.check_mask;
    bitboard knights = g.pos.pieces(Us, knight) & ~g.pinned;
    while (knights) {
        square const from = pop_lsb(knights);
        add_all(g.list, from, knight_attacks(from) & targets);
    }
    bitboard diagonal = (g.pos.pieces(Us, bishop) | g.pos.pieces(Us, queen));
    bitboard straight = (g.pos.pieces(Us, rook) | g.pos.pieces(Us, queen));
    while (diagonal) {
        square const from = pop_lsb(diagonal);
        bitboard t = bishop_attacks(from, g.occupied) & targets;
        if (g.pinned & bit(from)) t &= line(g.king, from);
        add_all(g.list, from, t);
    }
    while (straight) {
        square const from = pop_lsb(straight);
        bitboard t = rook_attacks(from, g.occupied) & targets;
        if (g.pinned & bit(from)) t &= line(g.king, from);
        add_all(g.list, from, t);
    }
}

template<color Us>
void king_moves(gen_context& g) {
    bitboard const without_king = g.occupied ^ bit(g.king);
    bitboard targets = king_attacks(g.king) & ~g.us;
    while (targets) {
        square const to = pop_lsb(targets);
        if (!g.pos.attacked_by(~Us, to, without_king)) g.list.push_back(move::normal(g.king, to));
    }
}

// Castling: the right, empty squares between king and rook, and no attack on the king's start,
// passage and arrival squares (the caller has checked the king is not in check).
template<color Us>
void castling_moves(gen_context& g) {
    constexpr square k = Us == color::white ? 4 : 60;
    constexpr castling_rights oo = Us == color::white ? white_king_side : black_king_side;
    constexpr castling_rights ooo = Us == color::white ? white_queen_side : black_queen_side;
    castling_rights const rights = g.pos.castling();
    if ((rights & oo) && !(g.occupied & (bit(k + 1) | bit(k + 2))) &&
        !g.pos.attacked_by(~Us, k + 1, g.occupied) && !g.pos.attacked_by(~Us, k + 2, g.occupied))
        g.list.push_back(move::castling(k, k + 2));
    if ((rights & ooo) && !(g.occupied & (bit(k - 1) | bit(k - 2) | bit(k - 3))) &&
        !g.pos.attacked_by(~Us, k - 1, g.occupied) && !g.pos.attacked_by(~Us, k - 2, g.occupied))
        g.list.push_back(move::castling(k, k - 2));
}

template<color Us>
void generate(position const& pos, move_list& list) {
    square const king = pos.king_square(Us);
    bitboard const checkers = pos.checkers();
    gen_context g{pos,          list, king, pos.pieces(Us), pos.pieces(~Us), pos.occupied(),
                  ~bitboard{0}, 0};
    king_moves<Us>(g);
    if (more_than_one(checkers)) return;
    if (checkers) g.check_mask = between(king, lsb(checkers)) | checkers;
    g.pinned = pinned_pieces(pos, Us, king);
    pawn_moves<Us>(g);
    en_passant_moves<Us>(g);
    piece_moves<Us>(g);
    if (!checkers) castling_moves<Us>(g);
}

} // namespace

move_list legal_moves(position const& pos) {
    move_list list;
    if (pos.side_to_move() == color::white)
        generate<color::white>(pos, list);
    else
        generate<color::black>(pos, list);
    return list;
}

bool is_legal(position const& pos, move m) {
    return !m.is_null() && legal_moves(pos).contains(m);
}

bool is_checkmate(position const& pos) {
    return pos.in_check() && legal_moves(pos).empty();
}

bool is_stalemate(position const& pos) {
    return !pos.in_check() && legal_moves(pos).empty();
}

} // namespace kibitz::chess
