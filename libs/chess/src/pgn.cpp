#include <kibitz/chess/pgn.hpp>

#include <kibitz/chess/fen.hpp>

#include <string_view>

namespace kibitz::chess {
namespace {

constexpr std::size_t line_limit = 80;

// One tag pair line; the value escaped per PGN standard 8.1.1.
void append_tag(std::string& out, std::string_view name, std::string_view value) {
    out += '[';
    out += name;
    out += " \"";
    for (char const c : value) {
        if (c == '\\' || c == '"') out += '\\';
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
    }
    out += "\"]\n";
}

// Appends tokens separated by spaces, starting a new line before one that would pass the limit.
class token_writer {
public:
    explicit token_writer(std::string& out) : out_(out) {}

    void add(std::string_view token) {
        if (line_ > 0 && line_ + 1 + token.size() > line_limit) {
            out_ += '\n';
            line_ = 0;
        }
        if (line_ > 0) {
            out_ += ' ';
            ++line_;
        }
        out_ += token;
        line_ += token.size();
    }

private:
    std::string& out_;
    std::size_t line_ = 0;
};

// PGN tag names are letters, digits and underscores (PGN standard 8.1.1).
bool valid_tag_name(std::string_view name) {
    if (name.empty()) return false;
    for (char const c : name) {
        bool const ok =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::string_view result_token(game const& g) {
    if (!g.result() || g.result()->result.empty()) return "*";
    return g.result()->result;
}

} // namespace

std::string to_pgn(game const& g, pgn_tags const& tags) {
    std::string out;
    std::string_view const result = result_token(g);
    append_tag(out, "Event", tags.event);
    append_tag(out, "Site", tags.site);
    append_tag(out, "Date", tags.date);
    append_tag(out, "Round", tags.round);
    append_tag(out, "White", tags.white);
    append_tag(out, "Black", tags.black);
    append_tag(out, "Result", result);
    std::string const initial = to_fen(g.initial());
    if (initial != start_fen) {
        append_tag(out, "SetUp", "1");
        append_tag(out, "FEN", initial);
    }
    for (auto const& [name, value] : tags.extra)
        if (valid_tag_name(name)) append_tag(out, name, value);
    out += '\n';

    token_writer w(out);
    int number = g.initial().fullmove_number();
    bool white = g.initial().side_to_move() == color::white;
    for (std::size_t i = 0; i < g.san_moves().size(); ++i) {
        if (white)
            w.add(std::to_string(number) + '.');
        else if (i == 0)
            w.add(std::to_string(number) + "...");
        w.add(g.san_moves()[i]);
        if (!white) ++number;
        white = !white;
    }
    w.add(result);
    out += '\n';
    return out;
}

} // namespace kibitz::chess
