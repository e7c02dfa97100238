#pragma once

#include <kibitz/cluster/messages.hpp>
#include <kibitz/socketio/adapter.hpp>
#include <kibitz/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

// The requests a node waits on (docs/cluster.md), and the broadcasts with ack
// whose answers it collects. Pure: the time is given (docs/architecture.md rule 5), nothing runs
// a timer here. Node's maps grow until a timeout that may never come (redis-adapter #224,
// #490); these have a cap and every entry a deadline.
namespace kibitz::cluster {

// Why a request ended without every answer.
enum class errc : std::uint8_t {
    not_connected = 1, // Redis is down (fail fast: nothing was sent)
    timed_out,         // some server did not answer within the request timeout
    too_many_requests, // the cap of pending requests (redis_adapter_options) is reached
};

std::error_category const& cluster_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

// One request awaiting `expected` answers (the other servers of PUBSUB NUMSUB), and what came.
struct pending_request {
    request_type type = request_type::sockets;
    std::size_t expected = 0;
    std::size_t received = 0;
    util::time_point deadline{};
    // Collected: 0 socket ids, 5 sockets, 1 rooms, 6 ack arguments.
    std::vector<socketio::socket_info> sockets;
    std::set<std::string> rooms;
    std::vector<json> responses;
    // The caller's completion; one of them, by type.
    socketio::fetch_sockets_handler on_sockets;
    socketio::all_rooms_handler on_rooms;
    socketio::broadcast_ack_handler on_responses;

    // Counts an answer (Node's onresponse): true once `expected` came. An answer of the wrong
    // shape is counted and adds nothing, as Node does.
    bool add_answer(json const& body);
    // Runs the completion once with `ec` and what came.
    void finish(std::error_code ec);
};

// One broadcast with ack sent to the others: their client counts and acks go to the caller.
struct pending_ack {
    util::time_point deadline{};
    std::function<void(std::size_t)> on_count;
    std::function<void(json)> on_ack;
};

// Entries by request id, at most `max`, each with a deadline.
template<class T>
class deadline_map {
public:
    explicit deadline_map(std::size_t max) : max_(max) {}

    // False, and nothing kept (`entry` untouched), when full or when `id` is in use.
    bool add(std::string const& id, T&& entry) {
        if (entries_.size() >= max_ || entries_.count(id)) return false;
        by_deadline_.emplace(entry.deadline, id);
        entries_.emplace(id, std::move(entry));
        return true;
    }
    T* find(std::string const& id) {
        auto it = entries_.find(id);
        return it == entries_.end() ? nullptr : &it->second;
    }
    bool contains(std::string const& id) const { return entries_.count(id) != 0; }
    std::optional<T> take(std::string const& id) {
        auto it = entries_.find(id);
        if (it == entries_.end()) return std::nullopt;
        erase_deadline(it->second.deadline, id);
        T out = std::move(it->second);
        entries_.erase(it);
        return out;
    }
    // Removes and returns the entries whose deadline is at or before `now`, earliest first.
    std::vector<T> expire(util::time_point now) {
        std::vector<T> out;
        while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
            auto id = by_deadline_.begin()->second;
            by_deadline_.erase(by_deadline_.begin());
            auto it = entries_.find(id);
            out.push_back(std::move(it->second));
            entries_.erase(it);
        }
        return out;
    }
    std::optional<util::time_point> next_deadline() const {
        if (by_deadline_.empty()) return std::nullopt;
        return by_deadline_.begin()->first;
    }
    // Removes every entry (a closing adapter), returned.
    std::vector<T> clear() {
        std::vector<T> out;
        for (auto& [id, e] : entries_)
            out.push_back(std::move(e));
        entries_.clear();
        by_deadline_.clear();
        return out;
    }
    std::size_t size() const { return entries_.size(); }
    std::size_t max() const { return max_; }

private:
    void erase_deadline(util::time_point at, std::string const& id) {
        auto [first, last] = by_deadline_.equal_range(at);
        for (auto it = first; it != last; ++it)
            if (it->second == id) {
                by_deadline_.erase(it);
                return;
            }
    }

    std::size_t max_;
    std::unordered_map<std::string, T> entries_;
    std::multimap<util::time_point, std::string> by_deadline_;
};

} // namespace kibitz::cluster

template<>
struct std::is_error_code_enum<kibitz::cluster::errc> : std::true_type {};
