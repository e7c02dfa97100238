// Connection state recovery across servers (@socket.io/redis-streams-adapter 0.3.1
// restoreSession, docs/cluster.md): the session from Redis, then the stream's entries after
// the client's offset that were meant for it.
#include "streams_adapter.hpp"
#include "streams_reader.hpp"

namespace kibitz::cluster {

struct streams_adapter::restore_state {
    std::string pid;
    stream_id last; // scanned up to (the client's offset first)
    socketio::restore_handler done;
    std::optional<socketio::session_record> session;
    std::vector<json> missed;
    std::size_t calls = 0;
    bool finished = false;
};

void streams_adapter::restore_session(std::string const& pid, std::string const& offset,
                                      socketio::restore_handler done) {
    auto id = parse_stream_id(offset);
    if (!ctx_.recovery || !id || !hub_->publisher_up()) {
        ++hub_->stats().sessions_not_restored;
        return done(std::nullopt);
    }
    auto st = std::make_shared<restore_state>();
    st->pid = pid;
    st->last = *id;
    st->done = std::move(done);
    // GETDEL as Node does it (any Redis): the session is taken once, by one server.
    auto key = hub_->opts().streams.session_key_prefix + pid;
    auto ignore = [](std::error_code, redis::value) {};
    std::weak_ptr<streams_adapter*> weak = self_;
    hub_->command({"MULTI"}, ignore);
    hub_->command({"GET", key}, ignore);
    hub_->command({"DEL", key}, ignore);
    hub_->command({"EXEC"}, [weak, st](std::error_code ec, redis::value v) {
        auto self = weak.lock();
        if (!self || ec || v.type != redis::type::array || v.elements.size() != 2 ||
            !v.elements[0].is_string())
            return;
        st->session = decode_session(v.elements[0].text, (**self).hub_->opts().limits);
    });
    // The offset must still be in the stream (not trimmed by MAXLEN), else packets were lost.
    auto const& stream = hub_->opts().streams.stream_name;
    hub_->command({"XRANGE", stream, offset, offset},
                  [weak, st](std::error_code ec, redis::value v) {
                      auto self = weak.lock();
                      if (!self) return;
                      bool const found = !ec && v.type == redis::type::array && !v.elements.empty();
                      if (!found || !st->session || st->session->pid != st->pid)
                          return (**self).restore_end(st, false);
                      (**self).restore_scan(st);
                  });
}

void streams_adapter::restore_scan(std::shared_ptr<restore_state> const& st) {
    auto const& s = hub_->opts().streams;
    if (st->calls++ >= s.restore_max_calls) return restore_end(st, false);
    std::weak_ptr<streams_adapter*> weak = self_;
    hub_->command({"XRANGE", s.stream_name, to_string(next_id(st->last)), "+", "COUNT",
                   std::to_string(std::max<std::size_t>(s.restore_batch, 1))},
                  [weak, st](std::error_code ec, redis::value v) {
                      auto self = weak.lock();
                      if (!self) return;
                      if (ec || v.type != redis::type::array)
                          return (**self).restore_end(st, false);
                      (**self).restore_batch(st, v);
                  });
}

void streams_adapter::restore_batch(std::shared_ptr<restore_state> const& st,
                                    redis::value const& reply) {
    // Another server's entries past what our reader handled reach the socket live, once it is
    // connected: leave them out, or the socket would get them twice. Ours were delivered here
    // when XADD answered, before this reply (one connection, in order): they are missed.
    auto const reader_at = hub_->reader().last();
    for (auto const& raw : reply.elements) {
        stream_entry e;
        auto bad = decode_stream_entry(raw, e, hub_->opts().limits);
        auto id = parse_stream_id(raw.elements.empty() ? std::string() : raw.elements[0].text);
        if (!id) return restore_end(st, false);
        st->last = *id;
        if (bad || e.nsp != ctx_.nsp || e.type != static_cast<int>(sharded_type::broadcast))
            continue;
        if (e.uid != uid_ && reader_at && *id > *reader_at) continue;
        socketio::packet p;
        socketio::broadcast_options opts;
        if (!read_sharded_broadcast(e.data, p, opts) || e.data.contains("requestId") ||
            !takes_offset(p, opts) || !should_include(st->session->rooms, opts))
            continue;
        p.data.push_back(e.id);
        st->missed.push_back(std::move(p.data));
    }
    if (reply.elements.size() < std::max<std::size_t>(hub_->opts().streams.restore_batch, 1))
        return restore_end(st, true);
    restore_scan(st);
}

void streams_adapter::restore_end(std::shared_ptr<restore_state> const& st, bool ok) {
    if (st->finished) return;
    st->finished = true;
    auto done = std::move(st->done);
    if (!ok) {
        ++hub_->stats().sessions_not_restored;
        return done(std::nullopt);
    }
    ++hub_->stats().sessions_restored;
    socketio::restored_session r;
    r.session = std::move(*st->session);
    r.session.disconnected_at = ctx_.clock ? ctx_.clock() : util::time_point{};
    r.missed = std::move(st->missed);
    done(std::move(r));
}

} // namespace kibitz::cluster
