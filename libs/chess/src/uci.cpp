#include <kibitz/chess/uci.hpp>

#include <kibitz/chess/movegen.hpp>

namespace kibitz::chess {
namespace {

// The lower-case letter of a promotion piece.
char promotion_letter(piece_type t) {
    switch (t) {
    case piece_type::knight:
        return 'n';
    case piece_type::bishop:
        return 'b';
    case piece_type::rook:
        return 'r';
    default:
        return 'q';
    }
}

std::optional<piece_type> promotion_from_letter(char c) {
    switch (c) {
    case 'n':
    case 'N':
        return piece_type::knight;
    case 'b':
    case 'B':
        return piece_type::bishop;
    case 'r':
    case 'R':
        return piece_type::rook;
    case 'q':
    case 'Q':
        return piece_type::queen;
    default:
        return std::nullopt;
    }
}

} // namespace

std::string to_uci(move m) {
    if (m.is_null()) return "0000";
    std::string out = square_name(m.from()) + square_name(m.to());
    if (m.kind() == move_kind::promotion) out += promotion_letter(m.promotion_piece());
    return out;
}

std::optional<move> parse_uci(position const& pos, std::string_view text) {
    if (text.size() != 4 && text.size() != 5) return std::nullopt;
    auto const from = parse_square(text.substr(0, 2));
    auto const to = parse_square(text.substr(2, 2));
    if (!from || !to) return std::nullopt;
    std::optional<piece_type> promo;
    if (text.size() == 5) {
        promo = promotion_from_letter(text[4]);
        if (!promo) return std::nullopt;
    }
    for (move const m : legal_moves(pos)) {
        if (m.from() != *from) continue;
        bool const is_promo = m.kind() == move_kind::promotion;
        if (is_promo != promo.has_value() || (is_promo && m.promotion_piece() != *promo)) continue;
        bool const rook_form = m.kind() == move_kind::castling &&
                               *to == (m.to() > m.from() ? m.from() + 3 : m.from() - 4);
        if (m.to() == *to || rook_form) return m;
    }
    return std::nullopt;
}

} // namespace kibitz::chess
