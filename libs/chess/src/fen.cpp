#include <kibitz/chess/fen.hpp>

#include <array>
#include <cstddef>
#include <optional>

namespace kibitz::chess {
namespace {

constexpr std::string_view piece_letters = "PNBRQKpnbrqk";

// Splits on single spaces; nullopt unless there are 4 or 6 non-empty fields.
std::optional<std::array<std::string_view, 6>> split_fields(std::string_view fen) {
    std::array<std::string_view, 6> fields{"", "", "", "", "0", "1"};
    std::size_t n = 0;
    while (true) {
        std::size_t const space = fen.find(' ');
        std::string_view const field = fen.substr(0, space);
        if (field.empty() || n == fields.size()) return std::nullopt;
        fields[n++] = field;
        if (space == std::string_view::npos) break;
        fen.remove_prefix(space + 1);
    }
    if (n != 4 && n != 6) return std::nullopt;
    return fields;
}

// The pieces, rank 8 first; false on any malformed rank.
bool parse_board(std::string_view text, setup& s) {
    int rank = 7;
    int file = 0;
    bool last_was_digit = false;
    for (char const c : text) {
        if (c == '/') {
            if (file != 8 || rank == 0) return false;
            --rank;
            file = 0;
            last_was_digit = false;
        } else if (c >= '1' && c <= '8') {
            if (last_was_digit || file + (c - '0') > 8) return false;
            file += c - '0';
            last_was_digit = true;
        } else {
            std::size_t const i = piece_letters.find(c);
            if (i == std::string_view::npos || file == 8) return false;
            s.board[make_square(file++, rank)] = static_cast<piece>(i);
            last_was_digit = false;
        }
    }
    return rank == 0 && file == 8;
}

std::optional<castling_rights> parse_castling(std::string_view text) {
    if (text == "-") return castling_rights{0};
    constexpr std::string_view order = "KQkq";
    castling_rights rights = 0;
    std::size_t next = 0;
    for (char const c : text) {
        std::size_t const i = order.find(c, next);
        if (i == std::string_view::npos) return std::nullopt;
        rights |= static_cast<castling_rights>(1 << i);
        next = i + 1;
    }
    return rights;
}

// A decimal counter of at most six digits, no sign, no leading zero.
std::optional<int> parse_counter(std::string_view text) {
    if (text.empty() || text.size() > 6 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    int value = 0;
    for (char const c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

parsed<position> parse_fen(std::string_view fen) {
    auto const fields = split_fields(fen);
    if (!fields) return {std::nullopt, "a FEN has 6 fields separated by single spaces"};
    auto const& f = *fields;
    setup s;
    if (!parse_board(f[0], s)) return {std::nullopt, "bad piece placement"};
    if (f[1] != "w" && f[1] != "b") return {std::nullopt, "side to move must be w or b"};
    s.side_to_move = f[1] == "w" ? color::white : color::black;
    auto const castling = parse_castling(f[2]);
    if (!castling) return {std::nullopt, "bad castling field"};
    s.castling = *castling;
    if (f[3] != "-") {
        auto const ep = parse_square(f[3]);
        if (!ep) return {std::nullopt, "bad en-passant field"};
        s.ep_square = *ep;
    }
    auto const halfmove = parse_counter(f[4]);
    auto const fullmove = parse_counter(f[5]);
    if (!halfmove || !fullmove) return {std::nullopt, "bad move counter"};
    s.halfmove_clock = *halfmove;
    s.fullmove_number = *fullmove;
    return position::from_setup(s);
}

std::string to_fen(position const& pos) {
    std::string out;
    for (int rank = 7; rank >= 0; --rank) {
        int empty = 0;
        for (int file = 0; file < 8; ++file) {
            piece const p = pos.piece_at(make_square(file, rank));
            if (p == piece::none) {
                ++empty;
                continue;
            }
            if (empty) out += static_cast<char>('0' + empty);
            empty = 0;
            out += piece_letters[static_cast<std::size_t>(p)];
        }
        if (empty) out += static_cast<char>('0' + empty);
        if (rank) out += '/';
    }
    out += pos.side_to_move() == color::white ? " w " : " b ";
    if (pos.castling() == 0) out += '-';
    for (int i = 0; i < 4; ++i)
        if (pos.castling() & (1 << i)) out += "KQkq"[i];
    out += ' ';
    out += pos.ep_square() == no_square ? std::string("-") : square_name(pos.ep_square());
    out += ' ' + std::to_string(pos.halfmove_clock()) + ' ' + std::to_string(pos.fullmove_number());
    return out;
}

} // namespace kibitz::chess
