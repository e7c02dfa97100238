#include <kibitz/chess/san.hpp>

#include <kibitz/chess/movegen.hpp>

namespace kibitz::chess {
namespace {

using enum piece_type;

constexpr std::string_view piece_letters = "PNBRQK";

char letter(piece_type t) {
    return piece_letters[static_cast<std::size_t>(index(t))];
}

std::optional<piece_type> piece_from_letter(char c) {
    std::size_t const i = piece_letters.find(c);
    if (i == std::string_view::npos || i == 0) return std::nullopt;
    return static_cast<piece_type>(i);
}

// "", a file, a rank, or both: what tells `m` apart from the other legal moves of the same kind
// of piece to the same square.
std::string disambiguation(position const& pos, move m, move_list const& legal) {
    piece const moved = pos.piece_at(m.from());
    bool clash = false;
    bool same_file = false;
    bool same_rank = false;
    for (move const other : legal) {
        if (other.to() != m.to() || other.from() == m.from()) continue;
        if (pos.piece_at(other.from()) != moved) continue;
        clash = true;
        same_file |= file_of(other.from()) == file_of(m.from());
        same_rank |= rank_of(other.from()) == rank_of(m.from());
    }
    if (!clash) return "";
    std::string const name = square_name(m.from());
    if (!same_file) return name.substr(0, 1);
    if (!same_rank) return name.substr(1, 1);
    return name;
}

// "+", "#" or "": what `m` does to the other king.
char const* check_mark(position const& pos, move m) {
    position next = pos;
    next.play(m);
    if (!next.in_check()) return "";
    return legal_moves(next).empty() ? "#" : "+";
}

// The parts of a SAN text: [piece][file][rank][x|-]square[[=]promotion].
struct san_parts {
    piece_type type = pawn;
    int from_file = -1;
    int from_rank = -1;
    square to = no_square;
    std::optional<piece_type> promotion;
    bool castle_king_side = false;
    bool castle_queen_side = false;
};

std::string_view strip_marks(std::string_view text) {
    while (!text.empty() && std::string_view("+#!?").find(text.back()) != std::string_view::npos)
        text.remove_suffix(1);
    return text;
}

// Flat parser of the grammar above; nullopt on anything else.
std::optional<san_parts> split_san(std::string_view text) {
    san_parts p;
    text = strip_marks(text);
    if (text == "O-O" || text == "0-0") p.castle_king_side = true;
    if (text == "O-O-O" || text == "0-0-0") p.castle_queen_side = true;
    if (p.castle_king_side || p.castle_queen_side) return p;

    if (text.size() >= 2) {
        char const last = text.back();
        bool const has_equals = text[text.size() - 2] == '=';
        bool const after_rank = text[text.size() - 2] == '8' || text[text.size() - 2] == '1';
        if ((has_equals || after_rank) &&
            std::string_view("NBRQnbrq").find(last) != std::string_view::npos) {
            p.promotion = piece_from_letter(static_cast<char>(last & ~0x20));
            text.remove_suffix(has_equals ? 2 : 1);
        }
    }
    if (text.size() < 2) return std::nullopt;
    auto const to = parse_square(text.substr(text.size() - 2));
    if (!to) return std::nullopt;
    p.to = *to;
    text.remove_suffix(2);

    if (!text.empty() && (text.back() == 'x' || text.back() == '-')) text.remove_suffix(1);
    if (!text.empty()) {
        if (auto const t = piece_from_letter(text.front())) {
            p.type = *t;
            text.remove_prefix(1);
        }
    }
    if (!text.empty() && text.front() >= 'a' && text.front() <= 'h') {
        p.from_file = text.front() - 'a';
        text.remove_prefix(1);
    }
    if (!text.empty() && text.front() >= '1' && text.front() <= '8') {
        p.from_rank = text.front() - '1';
        text.remove_prefix(1);
    }
    if (!text.empty()) return std::nullopt;
    return p;
}

bool matches(position const& pos, move m, san_parts const& p) {
    if (m.kind() == move_kind::castling) {
        bool const king_side = m.to() > m.from();
        return (p.castle_king_side && king_side) || (p.castle_queen_side && !king_side);
    }
    if (p.castle_king_side || p.castle_queen_side) return false;
    if (m.to() != p.to || type_of(pos.piece_at(m.from())) != p.type) return false;
    if (p.from_file >= 0 && file_of(m.from()) != p.from_file) return false;
    if (p.from_rank >= 0 && rank_of(m.from()) != p.from_rank) return false;
    bool const is_promo = m.kind() == move_kind::promotion;
    if (is_promo != p.promotion.has_value()) return false;
    return !is_promo || m.promotion_piece() == *p.promotion;
}

} // namespace

std::string to_san(position const& pos, move m) {
    std::string out;
    if (m.kind() == move_kind::castling) {
        out = m.to() > m.from() ? "O-O" : "O-O-O";
        return out + check_mark(pos, m);
    }
    piece_type const type = type_of(pos.piece_at(m.from()));
    bool const capture = pos.piece_at(m.to()) != piece::none || m.kind() == move_kind::en_passant;
    if (type == pawn) {
        if (capture) out += square_name(m.from())[0];
    } else {
        out += letter(type);
        out += disambiguation(pos, m, legal_moves(pos));
    }
    if (capture) out += 'x';
    out += square_name(m.to());
    if (m.kind() == move_kind::promotion) {
        out += '=';
        out += letter(m.promotion_piece());
    }
    return out + check_mark(pos, m);
}

std::optional<move> parse_san(position const& pos, std::string_view text) {
    auto const parts = split_san(text);
    if (!parts) return std::nullopt;
    std::optional<move> found;
    for (move const m : legal_moves(pos)) {
        if (!matches(pos, m, *parts)) continue;
        if (found) return std::nullopt;
        found = m;
    }
    return found;
}

} // namespace kibitz::chess
