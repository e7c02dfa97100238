#pragma once

#include "http_connection.hpp"
#include "ws_connection.hpp"

#include <kibitz/engineio/heartbeat.hpp>
#include <kibitz/engineio/options.hpp>
#include <kibitz/engineio/socket.hpp>
#include <kibitz/net/asio.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kibitz::engineio::detail {

class session;

// What a session needs from the server that owns it.
class session_owner {
public:
    virtual ~session_owner() = default;
    virtual options const& opts() const = 0;
    virtual outgoing_ptr const& ping_packet() const = 0;
    // Calls run_scheduled_flush() on the session at the end of this loop turn.
    virtual void schedule_flush(std::shared_ptr<session> s) = 0;
    // The session has ended: drop it from the registry.
    virtual void on_session_closed(std::string const& id, std::string const& address) = 0;
};

// One Engine.IO session and its transports: polling, WebSocket, or polling while a WebSocket
// probe is under way. It keeps the heartbeat, the send queue and the upgrade (spec: "Upgrade").
class session final : public socket, public ws_owner, public std::enable_shared_from_this<session> {
public:
    session(net::asio::io_context& ioc, session_owner& owner, std::string id,
            http_request handshake);
    ~session() override;

    // Starts the heartbeat; the open packet has been or is being sent by the server.
    void start(util::time_point now);
    // The session's transport is this WebSocket from the start (no polling).
    void attach_websocket(std::shared_ptr<ws_connection> ws);

    void on_poll_get(std::shared_ptr<http_connection> conn, util::time_point now);
    void on_poll_post(std::shared_ptr<http_connection> conn, http_request const& request,
                      http_response headers, util::time_point now);
    // A WebSocket opened with this session's id: probe it, then upgrade (spec: "Upgrade").
    bool can_upgrade() const;
    void begin_probe(std::shared_ptr<ws_connection> ws, util::time_point now);

    // The flush scheduled with session_owner::schedule_flush.
    void run_scheduled_flush();

    // Ends the session at once with an engine.io close reason (server shutdown, errors).
    void terminate(std::string_view reason, std::string_view description);

    // socket
    std::string const& id() const override { return id_; }
    std::string_view transport() const override;
    http_request const& handshake() const override { return handshake_; }
    bool send(outgoing_ptr packet, bool droppable) override;
    bool writable() const override;
    void flush() override;
    std::size_t buffered_bytes() const override { return queued_bytes_; }
    bool is_open() const override { return state_ == state::open; }
    void close() override;
    void on_message(message_handler handler) override { on_message_ = std::move(handler); }
    void on_close(close_handler handler) override { on_close_ = std::move(handler); }

    // ws_owner
    void on_ws_message(ws_connection& ws, message msg) override;
    void on_ws_closed(ws_connection& ws, bool error, std::string_view description) override;
    void on_ws_drained(ws_connection& ws) override;

private:
    enum class state { open, closing, closed };

    void handle_packet(packet const& p, util::time_point now);
    void handle_probe_packet(packet const& p);
    void complete_upgrade();
    bool check(util::time_point now);
    void arm_timer();
    void on_timer(net::error_code ec);
    void schedule_flush();
    void flush_queue();
    void respond_poll(std::string body);
    void finish_close(std::string_view reason, std::string_view description);

    session_owner& owner_;
    std::string id_;
    http_request handshake_;
    heartbeat heartbeat_;
    net::asio::steady_timer timer_;
    std::vector<outgoing_ptr> queue_;
    std::size_t queued_bytes_ = 0;
    std::shared_ptr<ws_connection> ws_;     // the WebSocket transport, once there is one
    std::shared_ptr<ws_connection> probe_;  // a WebSocket being probed for the upgrade
    std::shared_ptr<http_connection> poll_; // a pending long-poll GET
    std::optional<util::time_point> upgrade_deadline_;
    std::optional<util::time_point> closing_deadline_;
    bool upgrading_ = false; // the probe answered: the client is pausing its polling
    bool flush_scheduled_ = false;
    bool overflow_ = false;
    state state_ = state::open;
    message_handler on_message_;
    close_handler on_close_;
};

} // namespace kibitz::engineio::detail
