#pragma once

#include <kibitz/util/histogram.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace kibitz::store {

// The kinds of store operation, one per database method (database.hpp).
enum class operation : std::uint8_t {
    insert_message,
    edit_message,
    delete_message,
    history,
    claim_identity,
    prune_identities,
    save_game,
    load_game,
    find_game_alias,
    save_games,
    rehash_game_tokens,
    load_active_games,
    finished_games,
};
inline constexpr std::size_t operation_count = 13;

// Its label in GET /metrics: the method's name.
constexpr std::string_view operation_name(operation op) {
    constexpr std::array<std::string_view, operation_count> names = {
        "insert_message",  "edit_message",     "delete_message",     "history",
        "claim_identity",  "prune_identities", "save_game",          "load_game",
        "find_game_alias", "save_games",       "rehash_game_tokens", "load_active_games",
        "finished_games"};
    return names[static_cast<std::size_t>(op)];
}

// Upper bounds of the latency histograms, in microseconds (100 us .. 5 s).
inline constexpr std::array<std::uint64_t, 12> latency_bounds_us = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 250000, 1000000, 5000000};

// How long each database operation took, measured where it runs (the store's worker thread),
// per operation kind. Written by that one thread (util::histogram_counts: no lock, no
// allocation), read by any (the loop renders GET /metrics).
struct counters {
    std::array<util::histogram_counts, operation_count> latency_us = make();

private:
    template<std::size_t... I>
    static constexpr std::array<util::histogram_counts, operation_count>
    make_all(std::index_sequence<I...>) {
        return {((void)I, util::histogram_counts(latency_bounds_us))...};
    }
    static constexpr std::array<util::histogram_counts, operation_count> make() {
        return make_all(std::make_index_sequence<operation_count>{});
    }
};

} // namespace kibitz::store
