#include "client.hpp"
#include "event.hpp"

#include <kibitz/socketio/adapter.hpp>
#include <kibitz/socketio/socket.hpp>

#include <algorithm>

namespace kibitz::socketio {

memory_adapter::memory_adapter(adapter_context ctx) : adapter(std::move(ctx)) {}

void memory_adapter::add_all(std::string const& sid, std::set<std::string> const& rooms) {
    auto& entry = *sids_.try_emplace(sid).first;
    auto& mine = entry.second;
    if (!mine.target && ctx_.socket_by_id) mine.target = ctx_.socket_by_id(sid).get();
    std::vector<std::string const*> joined;
    for (auto const& room : rooms) {
        if (room == sid) {
            if (!mine.own) joined.push_back(&room);
            mine.own = true;
            continue;
        }
        rooms_[room].emplace(entry.first, &entry);
        if (mine.rooms.insert(room).second) joined.push_back(&room);
    }
    if (ctx_.room_changed)
        for (auto const* room : joined)
            ctx_.room_changed(*room, sid, true);
}

void memory_adapter::del(std::string const& sid, std::string const& room) {
    bool left = false;
    auto it = sids_.find(sid);
    if (room == sid) {
        left = it != sids_.end() && it->second.own;
        if (left) it->second.own = false;
    } else {
        if (it != sids_.end()) left = it->second.rooms.erase(room) != 0;
        if (auto r = rooms_.find(room); r != rooms_.end()) {
            r->second.erase(sid);
            if (r->second.empty()) rooms_.erase(r);
        }
    }
    if (left && ctx_.room_changed) ctx_.room_changed(room, sid, false);
}

void memory_adapter::del_all(std::string const& sid) {
    auto it = sids_.find(sid);
    if (it == sids_.end()) return;
    // Out of every room first: their keys view this entry's.
    for (auto const& room : it->second.rooms) {
        auto r = rooms_.find(room);
        if (r == rooms_.end()) continue;
        r->second.erase(sid);
        if (r->second.empty()) rooms_.erase(r);
    }
    auto left = std::move(it->second.rooms);
    if (it->second.own) left.insert(sid);
    sids_.erase(it);
    if (ctx_.room_changed)
        for (auto const& room : left)
            ctx_.room_changed(room, sid, false);
}

std::set<std::string> memory_adapter::socket_rooms(std::string const& sid) const {
    auto it = sids_.find(sid);
    if (it == sids_.end()) return {};
    auto out = it->second.rooms;
    if (it->second.own) out.insert(sid);
    return out;
}

std::set<std::string> memory_adapter::rooms() const {
    std::set<std::string> out;
    for (auto const& [room, sids] : rooms_)
        out.insert(room);
    for (auto const& [sid, joined] : sids_)
        if (joined.own) out.insert(sid);
    return out;
}

template<class Fn>
void memory_adapter::for_each_in_room(std::string const& room, Fn&& fn) const {
    // The socket whose id names the room, when it is in its own room, then the others who
    // joined it.
    if (auto own = sids_.find(room); own != sids_.end() && own->second.own) fn(*own);
    if (rooms_.empty()) return; // no socket joined any other room: no second lookup
    if (auto it = rooms_.find(room); it != rooms_.end())
        for (auto const& [sid, entry] : it->second)
            fn(*entry);
}

template<class Fn>
void memory_adapter::for_each_selected(broadcast_options const& opts, Fn&& fn) const {
    // Those in the except rooms are skipped; the rest of the selected rooms, each once.
    std::set<sid_entry const*> excluded;
    for (auto const& room : opts.except)
        for_each_in_room(room, [&](sid_entry const& e) { excluded.insert(&e); });
    auto const kept = [&](sid_entry const& e) { return excluded.empty() || !excluded.count(&e); };
    if (opts.rooms.empty()) {
        for (auto const& e : sids_)
            if (kept(e)) fn(e);
        return;
    }
    if (opts.rooms.size() == 1) {
        // A socket is in a room once: no list of those seen.
        for_each_in_room(*opts.rooms.begin(), [&](sid_entry const& e) {
            if (kept(e)) fn(e);
        });
        return;
    }
    std::set<sid_entry const*> seen;
    for (auto const& room : opts.rooms)
        for_each_in_room(room, [&](sid_entry const& e) {
            if (kept(e) && seen.insert(&e).second) fn(e);
        });
}

void memory_adapter::for_each_local(broadcast_options const& opts,
                                    std::function<void(std::string const&)> const& fn) const {
    for_each_selected(opts, [&](sid_entry const& e) { fn(e.first); });
}

std::vector<std::string> memory_adapter::local_sids(broadcast_options const& opts) const {
    std::vector<std::string> out;
    for_each_selected(opts, [&](sid_entry const& e) { out.push_back(e.first); });
    return out;
}

void memory_adapter::broadcast(packet p, broadcast_options const& opts) {
    // socket.io 4.6: events without ack and not volatile get an offset, appended as the last
    // argument, and are kept so a recovering client can receive what it missed.
    if (ctx_.recovery && p.type == packet_type::event && !p.id && !opts.is_volatile) {
        auto offset = std::to_string(++next_offset_);
        p.data.push_back(offset);
        packets_.push_back({offset, opts, p.data, ctx_.clock()});
    }
    deliver_local(p, opts);
    detail::release(p.data); // encoded and sent: freed without nlohmann's heap stack
}

void memory_adapter::deliver_to(sid_entry const& entry, frames const& parts,
                                bool is_volatile) const {
    if (auto* s = entry.second.target)
        s->client().send_parts(parts, is_volatile);
    else
        ctx_.deliver(entry.first, parts, is_volatile);
}

void memory_adapter::deliver_local(packet const& p, broadcast_options const& opts) {
    if (outgoing_watched()) return deliver_watched(p, opts);
    // The recipients are pointed at, not copied, nor looked up again by id. Safe because a
    // delivery only queues: a session over its limit is closed by a posted task
    // (docs/architecture.md rule 4), so no map changes while the entries are read. The list
    // keeps its capacity across broadcasts; a broadcast made while one is delivered (none
    // today) gets a list of its own.
    thread_local std::vector<sid_entry const*> reused;
    thread_local bool in_use = false;
    std::vector<sid_entry const*> own;
    auto& targets = in_use ? own : reused;
    targets.clear();
    for_each_selected(opts, [&](sid_entry const& e) { targets.push_back(&e); });
    if (targets.empty()) return;
    struct guard {
        bool& flag;
        bool was;
        ~guard() { flag = was; }
    } g{in_use, in_use};
    in_use = true;
    // Encode once; every recipient's queue points at the same frames.
    auto parts = ctx_.encode ? ctx_.encode(p) : detail::to_wire(p, parser_kind::json);
    for (auto const* e : targets)
        deliver_to(*e, parts, opts.is_volatile);
    if (ctx_.counters) ctx_.counters->fanout.observe(targets.size());
    targets.clear();
}

void memory_adapter::deliver_watched(packet const& p, broadcast_options const& opts) {
    auto sids = local_sids(opts);
    if (sids.empty()) return;
    auto parts = ctx_.encode ? ctx_.encode(p) : detail::to_wire(p, parser_kind::json);
    for (auto const& sid : sids)
        if (ctx_.outgoing(sid, p)) ctx_.deliver(sid, parts, opts.is_volatile);
}

void memory_adapter::broadcast_with_ack(packet p, broadcast_options const& opts,
                                        std::function<void(std::size_t)> on_count,
                                        std::function<void(json)> on_ack) {
    on_count(deliver_local_with_ack(p, opts, on_ack));
}

std::size_t memory_adapter::deliver_local_with_ack(packet const& p, broadcast_options const& opts,
                                                   std::function<void(json)> const& on_ack) {
    auto sids = local_sids(opts);
    if (sids.empty()) return 0;
    auto parts = ctx_.encode ? ctx_.encode(p) : detail::to_wire(p, parser_kind::json);
    std::size_t count = 0;
    auto id = *p.id;
    bool const watched = outgoing_watched();
    for (auto const& sid : sids) {
        if (watched && !ctx_.outgoing(sid, p)) continue;
        // Each response is the first argument of the client's ack, as in Node. A socket with
        // max_pending_acks unanswered is left out (and not counted).
        auto answer = [on_ack](std::error_code ec, json args) {
            if (ec) return;
            on_ack(args.is_array() && !args.empty() ? std::move(args[0]) : json());
        };
        if (ctx_.deliver_with_ack(sid, id, parts, opts.is_volatile, opts.ack_timeout, answer))
            ++count;
    }
    if (ctx_.counters) ctx_.counters->fanout.observe(count);
    return count;
}

std::vector<socket_info> memory_adapter::local_socket_infos(broadcast_options const& opts) const {
    std::vector<socket_info> out;
    for (auto const& sid : local_sids(opts))
        if (auto s = ctx_.socket_by_id(sid))
            out.push_back({s->id(), s->handshake(), socket_rooms(sid), s->data});
    return out;
}

void memory_adapter::fetch_sockets(broadcast_options const& opts, fetch_sockets_handler done) {
    done({}, local_socket_infos(opts));
}

void memory_adapter::add_sockets(broadcast_options const& opts,
                                 std::set<std::string> const& rooms) {
    for (auto const& sid : local_sids(opts))
        add_all(sid, rooms);
}

void memory_adapter::del_sockets(broadcast_options const& opts,
                                 std::set<std::string> const& rooms) {
    for (auto const& sid : local_sids(opts))
        for (auto const& room : rooms)
            del(sid, room);
}

void memory_adapter::disconnect_sockets(broadcast_options const& opts, bool close) {
    for (auto const& sid : local_sids(opts))
        if (auto s = ctx_.socket_by_id(sid)) s->disconnect(close);
}

void memory_adapter::server_count(server_count_handler done) {
    done({}, 1);
}

void memory_adapter::persist_session(session_record record) {
    if (!ctx_.recovery) return;
    auto pid = record.pid;
    sessions_[pid] = std::move(record);
}

void memory_adapter::restore_session(std::string const& pid, std::string const& offset,
                                     restore_handler done) {
    done(restore_session(pid, offset));
}

std::optional<restored_session> memory_adapter::restore_session(std::string const& pid,
                                                                std::string const& offset) {
    if (!ctx_.recovery) return std::nullopt;
    auto it = sessions_.find(pid);
    if (it == sessions_.end()) return std::nullopt;
    restored_session out{std::move(it->second), {}};
    sessions_.erase(it);
    if (out.session.disconnected_at + ctx_.recovery->max_disconnection_duration < ctx_.clock())
        return std::nullopt;
    // The offset must still be known; the packets after it that were meant for this socket
    // (its own room or its rooms, not excluded) are the ones it missed.
    auto from = std::find_if(packets_.begin() + static_cast<std::ptrdiff_t>(first_packet_),
                             packets_.end(), [&](auto const& sp) { return sp.offset == offset; });
    if (from == packets_.end()) return std::nullopt;
    auto const& rooms = out.session.rooms;
    for (auto p = from + 1; p != packets_.end(); ++p) {
        bool included = p->opts.rooms.empty();
        for (auto const& room : p->opts.rooms)
            included = included || rooms.count(room);
        for (auto const& room : p->opts.except)
            included = included && !rooms.count(room);
        if (included) out.missed.push_back(p->data);
    }
    return out;
}

void memory_adapter::prune(util::time_point now) {
    if (!ctx_.recovery) return;
    auto window = ctx_.recovery->max_disconnection_duration;
    while (first_packet_ < packets_.size() && packets_[first_packet_].emitted_at + window < now)
        ++first_packet_;
    // Compact once the pruned head is half the buffer.
    if (first_packet_ > 0 && first_packet_ * 2 >= packets_.size()) {
        packets_.erase(packets_.begin(),
                       packets_.begin() + static_cast<std::ptrdiff_t>(first_packet_));
        first_packet_ = 0;
    }
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (it->second.disconnected_at + window < now)
            it = sessions_.erase(it);
        else
            ++it;
    }
}

} // namespace kibitz::socketio
