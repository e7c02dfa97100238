#include <kibitz/chess/game.hpp>

#include <kibitz/chess/material.hpp>
#include <kibitz/chess/movegen.hpp>
#include <kibitz/chess/san.hpp>
#include <kibitz/chess/uci.hpp>

#include <algorithm>

namespace kibitz::chess {

game_result timeout_result(position const& pos, color flagged) {
    color const other = ~flagged;
    if (!has_mating_material(pos, other)) return {wire::draw, wire::timeout};
    return {win_for(other), wire::timeout};
}

game::game() : game(position::start()) {}

game::game(position const& initial) : initial_(initial), current_(initial), keys_{initial.key()} {
    judge();
}

std::vector<std::string> game::uci_moves() const {
    std::vector<std::string> out;
    out.reserve(moves_.size());
    for (move const m : moves_)
        out.push_back(to_uci(m));
    return out;
}

// Earlier positions can only repeat since the last capture, pawn move or castling-right loss;
// the halfmove clock bounds the first two, and a castling change alters the key anyway.
int game::repetitions() const {
    int count = 1;
    int const last = static_cast<int>(keys_.size()) - 1;
    int const oldest = std::max(0, last - current_.halfmove_clock());
    for (int i = last - 2; i >= oldest; i -= 2)
        if (keys_[static_cast<std::size_t>(i)] == keys_.back()) ++count;
    return count;
}

bool game::play(move m) {
    if (over() || !is_legal(current_, m)) return false;
    san_.push_back(to_san(current_, m));
    current_.play(m);
    moves_.push_back(m);
    keys_.push_back(current_.key());
    judge();
    return true;
}

std::optional<move> game::play_uci(std::string_view uci) {
    if (over()) return std::nullopt;
    auto const m = parse_uci(current_, uci);
    if (!m || !play(*m)) return std::nullopt;
    return m;
}

std::optional<move> game::play_san(std::string_view san) {
    if (over()) return std::nullopt;
    auto const m = parse_san(current_, san);
    if (!m || !play(*m)) return std::nullopt;
    return m;
}

bool game::finish(game_result r) {
    if (over()) return false;
    result_ = r;
    return true;
}

bool game::flag(color flagged) {
    return finish(timeout_result(current_, flagged));
}

// Mate and stalemate first (a mate that also reaches a draw rule is a mate), then the draws.
void game::judge() {
    if (legal_moves(current_).empty()) {
        if (current_.in_check())
            result_ = game_result{win_for(~current_.side_to_move()), wire::checkmate};
        else
            result_ = game_result{wire::draw, wire::stalemate};
    } else if (insufficient_material(current_)) {
        result_ = game_result{wire::draw, wire::insufficient_material};
    } else if (repetitions() >= 3) {
        result_ = game_result{wire::draw, wire::threefold};
    } else if (current_.halfmove_clock() >= 100) {
        result_ = game_result{wire::draw, wire::fifty_moves};
    }
}

} // namespace kibitz::chess
