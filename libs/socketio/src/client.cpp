#include "client.hpp"
#include "guard.hpp"
#include "stringify.hpp"

#include <kibitz/socketio/encoder.hpp>
#include <kibitz/socketio/msgpack_parser.hpp>
#include <kibitz/socketio/server.hpp>
#include <kibitz/socketio/wire.hpp>
#include <kibitz/util/log.hpp>

#include <algorithm>

namespace kibitz::socketio::detail {

std::vector<engineio::outgoing_ptr> to_wire(packet const& p, parser_kind parser) {
    if (parser == parser_kind::msgpack) return {engineio::make_binary(encode_msgpack(p))};
    // A packet without binary is encoded into a buffer the thread keeps (its capacity, up to
    // 64 kB, stays for the next packet), then copied once into its frame: the text grew by
    // doubling from nothing before, several allocations per packet.
    thread_local std::string text;
    text.clear();
    if (detail::append_plain_packet(text, p)) {
        std::vector<engineio::outgoing_ptr> parts{engineio::make_message(text)};
        if (text.capacity() > (64u << 10)) std::string().swap(text);
        return parts;
    }
    auto encoded = encode(p);
    std::vector<engineio::outgoing_ptr> parts;
    parts.reserve(1 + encoded.attachments.size());
    parts.push_back(engineio::make_message(encoded.text));
    for (auto const& a : encoded.attachments)
        parts.push_back(engineio::make_binary(a));
    return parts;
}

client::client(socketio::server& srv, engineio::socket_ptr conn)
    : server_(srv), conn_(std::move(conn)), decoder_([&] {
          auto limits = srv.opts().limits;
          limits.max_attachment_bytes = srv.opts().engine.max_payload;
          return limits;
      }()),
      connect_deadline_(srv.opts().connect_timeout) {}

void client::start() {
    auto self = shared_from_this();
    // Time enters here, once per event: the logic below is given `now`.
    conn_->on_message([self](engineio::message m) { self->on_message(m, self->server_.now()); });
    conn_->on_close([self](std::string_view reason, std::string_view) {
        self->server_.notify([&](server_observer const& o) {
            if (o.engine_closed) o.engine_closed(reason);
        });
        self->on_engine_close(reason);
    });
    on_no_namespace(server_.now());
}

void client::on_no_namespace(util::time_point now) {
    // A session that has joined no namespace in time is closed (Node: connectTimeout), over
    // polling and WebSocket alike; so is one that left them all.
    if (!open_) return;
    connect_deadline_.on_empty(now);
    arm_connect_timer(now);
}

void client::arm_connect_timer(util::time_point now) {
    auto deadline = connect_deadline_.deadline();
    if (connect_timer_ || !deadline) return;
    std::weak_ptr<client> weak = shared_from_this();
    // Round up, so the timer never fires before the deadline.
    auto after = std::chrono::ceil<util::duration>(*deadline - now);
    connect_timer_ = timer::start(server_.io_context(), after, [weak] {
        auto c = weak.lock();
        if (c) c->on_connect_timer(c->server_.now());
    });
}

void client::on_connect_timer(util::time_point now) {
    connect_timer_.reset();
    if (!open_) return;
    if (connect_deadline_.expired(now)) return close(wire::reason_forced_server_close);
    arm_connect_timer(now);
}

void client::joining_ended() {
    if (joining_ > 0) --joining_;
}

void client::on_message(engineio::message m, util::time_point now) {
    ++server_.traffic_.packets_in;
    server_.traffic_.bytes_in += m.data.size();
    // The last boundary before the transport: whatever throws (out of memory) closes this client.
    bool const ok =
        run_guarded("packet handling of", "a client", [&] { on_message_unguarded(m, now); });
    if (!ok) close(wire::reason_parse_error);
}

void client::on_message_unguarded(engineio::message& m, util::time_point now) {
    decode_result result;
    if (server_.opts().parser == parser_kind::msgpack) {
        // Every packet is one binary message; a text message is not of this wire.
        result = m.binary ? decode_msgpack(m.data, decoder_.limits())
                          : decode_result{decode_status::error, {}, decode_error::invalid_type};
    } else {
        result = m.binary ? decoder_.feed_binary(m.data, now) : decoder_.feed_text(m.data, now);
    }
    if (result.failed()) {
        // A malformed packet closes this one client (and no other) with "parse error".
        util::log(util::log_level::debug,
                  "socket.io: closing a client: ", make_error_code(result.error).message());
        return close(wire::reason_parse_error);
    }
    if (!result.has_packet()) return arm_binary_timer(now);
    binary_timer_.reset();
    on_packet(std::move(result.pkt));
}

void client::arm_binary_timer(util::time_point now) {
    auto deadline = decoder_.deadline();
    if (!deadline || binary_timer_) return;
    std::weak_ptr<client> weak = shared_from_this();
    // Round up, so the timer never fires before the decoder's deadline.
    auto after = std::chrono::ceil<util::duration>(*deadline - now);
    binary_timer_ = timer::start(server_.io_context(), after, [weak] {
        auto c = weak.lock();
        if (c) c->on_binary_timer(c->server_.now());
    });
}

void client::on_binary_timer(util::time_point now) {
    if (!open_) return;
    binary_timer_.reset();
    // An attachment that has not come by the deadline: the packet is malformed.
    if (decoder_.expired(now)) return close(wire::reason_parse_error);
    arm_binary_timer(now);
}

std::vector<socket_ptr>::iterator client::find_socket(std::string_view name) {
    return std::find_if(sockets_.begin(), sockets_.end(),
                        [name](socket_ptr const& s) { return s->ns().name() == name; });
}

void client::on_packet(packet p) {
    // socket.io 4.8 (Client.ondecoded): a CONNECT for a namespace not joined yet, or any other
    // packet but CONNECT_ERROR for one joined; anything else closes the connection.
    auto it = find_socket(p.nsp);
    if (it == sockets_.end() && keep_while_restoring(p)) return;
    if (p.type == packet_type::connect) {
        // socket.io-client repeats CONNECT when a namespace is opened and connected at once;
        // Node answers both (its join is asynchronous). Answer a repeat again, idempotently.
        if (it != sockets_.end()) return (*it)->on_connect_repeated();
        return on_connect_packet(p);
    }
    if (it == sockets_.end() || p.type == packet_type::connect_error)
        return close(wire::reason_forced_server_close);
    auto s = *it;
    s->on_packet(p);
}

bool client::keep_while_restoring(packet& p) {
    auto r = std::find_if(restoring_.begin(), restoring_.end(),
                          [&](restoring const& e) { return e.nsp == p.nsp; });
    if (r == restoring_.end()) return false;
    if (r->kept.size() >= r->max_kept) {
        close(wire::reason_forced_server_close);
        return true;
    }
    r->kept.push_back(std::move(p));
    return true;
}

void client::restore_started(std::string const& nsp, std::size_t max_kept) {
    ++joining_;
    restoring_.push_back({nsp, max_kept, {}});
}

std::vector<packet> client::restore_ended(std::string const& nsp) {
    auto r = std::find_if(restoring_.begin(), restoring_.end(),
                          [&](restoring const& e) { return e.nsp == nsp; });
    if (r == restoring_.end()) return {};
    joining_ended();
    auto kept = std::move(r->kept);
    restoring_.erase(r);
    return kept;
}

std::string_view client::refusal_of(packet const& p) const {
    auto const& opts = server_.opts();
    // A regex or predicate only ever sees a bounded name.
    if (p.nsp.size() > opts.max_namespace_length && !server_.has_namespace(p.nsp))
        return wire::error_invalid_namespace;
    if (sockets_.size() + joining_ >= opts.max_namespaces_per_client)
        return wire::error_too_many_namespaces;
    // The auth is kept for the socket's life: its JSON text is bounded (at most the packet).
    if (p.has_data() && stringify(p.data).size() > opts.max_auth_bytes)
        return wire::error_auth_too_large;
    return {};
}

void client::refuse_connect(std::string const& nsp, std::string_view message) {
    send(packet{packet_type::connect_error, nsp, std::nullopt,
                json{{"message", std::string(message)}}});
}

void client::on_connect_packet(packet& p) {
    if (auto refusal = refusal_of(p); !refusal.empty()) return refuse_connect(p.nsp, refusal);
    json auth = p.has_data() ? std::move(p.data) : json::object();
    std::string_view refusal;
    auto* n = server_.find_or_create(p.nsp, auth, refusal);
    if (!n) return refuse_connect(p.nsp, refusal);
    n->add(shared_from_this(), std::move(auth));
}

void client::send(packet const& p, bool is_volatile) {
    if (!open_) return;
    send_parts(to_wire(p, server_.opts().parser), is_volatile);
}

void client::send_parts(std::vector<engineio::outgoing_ptr> const& parts, bool is_volatile) {
    if (!open_) return;
    // A volatile packet goes whole or not at all.
    if (is_volatile && !conn_->writable()) return void(++server_.counters_->volatile_drops);
    auto& traffic = server_.traffic_;
    for (auto const& part : parts) {
        ++traffic.packets_out;
        traffic.bytes_out += part->payload().size();
        conn_->send(part, false);
    }
}

void client::add_socket(socket_ptr s) {
    connect_deadline_.clear();
    connect_timer_.reset();
    if (auto it = find_socket(s->ns().name()); it != sockets_.end())
        *it = std::move(s);
    else
        sockets_.push_back(std::move(s));
}

void client::remove_socket(socket const& s) {
    auto it = find_socket(s.ns().name());
    if (it != sockets_.end() && it->get() == &s) sockets_.erase(it);
    if (sockets_.empty()) on_no_namespace(server_.now());
}

void client::disconnect_all() {
    auto sockets = sockets_;
    for (auto const& s : sockets)
        s->disconnect(false);
    close(wire::reason_forced_server_close);
}

void client::close(std::string_view reason) {
    if (!open_) return;
    close_sockets(reason);
    open_ = false;
    connect_deadline_.clear();
    connect_timer_.reset();
    binary_timer_.reset();
    decoder_.reset();
    restoring_.clear();
    conn_->close();
}

void client::on_engine_close(std::string_view reason) {
    if (!open_) return;
    open_ = false;
    close_sockets(reason);
    connect_deadline_.clear();
    connect_timer_.reset();
    binary_timer_.reset();
    decoder_.reset();
    restoring_.clear();
}

void client::close_sockets(std::string_view reason) {
    // Closing removes the socket from the map: close a copy.
    auto sockets = std::move(sockets_);
    sockets_.clear();
    for (auto const& s : sockets)
        s->on_close(reason);
}

socketio::handshake client::make_handshake(json auth, std::int64_t issued) const {
    auto const& req = conn_->handshake();
    socketio::handshake hs;
    // One list of headers per connection, whatever the number of namespaces it joins: the
    // Engine.IO session's own (no copy).
    if (!headers_) headers_ = conn_->shared_headers();
    hs.headers = socketio::shared_headers(headers_);
    hs.address = req.remote_address;
    hs.url = req.target;
    hs.secure = req.secure;
    hs.auth = auth.is_object() ? std::move(auth) : json::object();
    hs.issued = issued;
    hs.time = js_date_string(hs.issued);
    // Node: xdomain is "the request had an Origin header".
    hs.xdomain = req.header("Origin").has_value();
    std::string_view q = req.query;
    while (!q.empty()) {
        auto amp = q.find('&');
        auto pair = q.substr(0, amp);
        auto eq = pair.find('=');
        auto key = engineio::percent_decode(pair.substr(0, eq));
        auto value =
            engineio::percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
        // Percent-decoding may give any bytes; the JSON keeps valid UTF-8 (dump() would throw).
        if (key && value) {
            auto name = detail::valid_utf8(*key);
            if (!hs.query.contains(name)) hs.query[name] = detail::valid_utf8(*value);
        }
        if (amp == std::string_view::npos) break;
        q.remove_prefix(amp + 1);
    }
    return hs;
}

} // namespace kibitz::socketio::detail
