#pragma once

#include "http_compression.hpp"
#include "session_machine.hpp"
#include "ws_connection.hpp"

#include <kibitz/engineio/counters.hpp>
#include <kibitz/engineio/options.hpp>
#include <kibitz/engineio/socket.hpp>
#include <kibitz/http/handler.hpp>
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
    // The time now: the session reads no clock of its own.
    virtual util::time_point now() const = 0;
    // The server's counters (counters.hpp), bumped at the session's events.
    virtual engineio::counters& counters() = 0;
    // Calls run_scheduled_flush() on the session at the end of this loop turn.
    virtual void schedule_flush(std::shared_ptr<session> s) = 0;
    // The session has ended: drop it from the registry.
    virtual void on_session_closed(std::string const& id, std::string const& address) = 0;
    // The session's one deadline moves from `from` (none: nullopt) to `to` (none: nullopt);
    // when it passes, the owner calls on_deadline() on the session. One timer per server
    // holds every session's deadline (a session holds no timer of its own).
    virtual void move_deadline(session& s, std::optional<util::time_point> from,
                               std::optional<util::time_point> to) = 0;
};

// One Engine.IO session and its transports: polling, WebSocket, or polling while a WebSocket
// probe is under way. The shell around session_machine: it holds the connections, the timer
// and the handlers, feeds the machine every event with the time, and applies its actions.
class session final : public socket, public ws_owner, public std::enable_shared_from_this<session> {
public:
    session(net::asio::io_context& ioc, session_owner& owner, std::string id,
            std::shared_ptr<http_request const> handshake);
    ~session() override;

    // Starts the heartbeat; the open packet has been or is being sent by the server.
    void start(util::time_point now);
    // The session's transport is this WebSocket from the start (no polling).
    void attach_websocket(std::shared_ptr<ws_connection> ws);

    // `headers` go on the GET's response (CORS, the headers hook's); `coding`: what its
    // Accept-Encoding asks of it (http_compression.hpp).
    void on_poll_get(http::exchange_ptr conn, header_list headers, content_coding coding,
                     util::time_point now);
    void on_poll_post(http::exchange_ptr conn, http_request const& request, http_response headers,
                      util::time_point now);
    // A WebSocket opened with this session's id: probe it, then upgrade (spec: "Upgrade").
    bool can_upgrade() const;
    void begin_probe(std::shared_ptr<ws_connection> ws, util::time_point now);

    // The flush scheduled with session_owner::schedule_flush.
    void run_scheduled_flush();
    // The deadline given to session_owner::move_deadline has passed (the owner forgot it).
    void on_deadline();

    // Ends the session at once with an engine.io close reason (server shutdown, errors).
    void terminate(std::string_view reason, std::string_view description);
    // No ping timeout from now on (server::pause_heartbeats).
    void pause_heartbeat();

    // socket
    std::string const& id() const override { return id_; }
    std::string_view transport() const override;
    std::optional<util::duration> rtt() const override { return machine_.rtt(); }
    http_request const& handshake() const override { return *handshake_; }
    std::shared_ptr<header_list const> shared_headers() const override {
        return {handshake_, &handshake_->headers}; // shares the kept request, copies nothing
    }
    bool send(outgoing_ptr packet, bool droppable) override;
    bool writable() const override { return machine_.writable(ws_busy()); }
    void flush() override;
    std::size_t buffered_bytes() const override { return machine_.buffered_bytes(); }
    bool is_open() const override { return machine_.is_open(); }
    void close() override;
    void on_message(message_handler handler) override { on_message_ = std::move(handler); }
    void on_close(close_handler handler) override { on_close_ = std::move(handler); }

    // ws_owner
    void on_ws_message(ws_connection& ws, message msg) override;
    void on_ws_closed(ws_connection& ws, bool error, std::string_view description) override;
    void on_ws_drained(ws_connection& ws) override;

private:
    bool ws_busy() const { return ws_ && ws_->writing(); }
    // Applies the machine's actions until none is left (once: a nested event's actions are
    // applied by the loop already running).
    void run();
    void apply(session_action& a);
    void apply_transport(session_action& a);
    void answer_request(int status);
    void arm_timer(std::optional<util::time_point> at);
    void respond_poll(std::string body);

    session_owner& owner_;
    std::shared_ptr<ws_connection> ws_; // the WebSocket transport, once there is one
    session_machine machine_;
    net::asio::io_context& ioc_;
    std::string id_;
    // The request that opened the session (no body), shared with whoever asks for its headers.
    std::shared_ptr<http_request const> handshake_;
    std::optional<util::time_point> due_; // the deadline the owner holds for this session
    // What only HTTP long-polling and the upgrade use, allocated at the first request or
    // probe: a session on WebSocket from the start never has it (~80 bytes less each).
    struct polling_state {
        std::shared_ptr<ws_connection> probe; // a WebSocket being probed for the upgrade
        http::exchange_ptr poll;              // a pending long-poll GET
        header_list poll_headers;             // its response's headers
        content_coding poll_coding = content_coding::identity; // and coding
        content_coding request_coding = content_coding::identity;
        // The request of the event being handled, and its response's headers.
        http::exchange_ptr request;
        http_response* request_headers = nullptr;
    };
    polling_state& polling();
    ws_connection* probe() const { return polling_ ? polling_->probe.get() : nullptr; }
    std::unique_ptr<polling_state> polling_;
    bool running_ = false;
    message_handler on_message_;
    close_handler on_close_;
};

} // namespace kibitz::engineio::detail
