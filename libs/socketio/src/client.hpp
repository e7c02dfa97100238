#pragma once

#include "connect_deadline.hpp"
#include "timer.hpp"

#include <kibitz/engineio/socket.hpp>
#include <kibitz/socketio/decoder.hpp>
#include <kibitz/socketio/handshake.hpp>
#include <kibitz/socketio/packet.hpp>
#include <kibitz/socketio/types.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::socketio {
class server;
}

namespace kibitz::socketio::detail {

// The encoded form of one packet: in the JSON parser the text message, then one binary message
// per attachment; in the msgpack parser one binary message.
std::vector<engineio::outgoing_ptr> to_wire(packet const& p, parser_kind parser);

// One Engine.IO connection and the namespace sockets multiplexed on it (Node's Client): decodes
// what arrives, routes it to the socket of its namespace, and sends what the sockets emit.
class client : public std::enable_shared_from_this<client> {
public:
    client(socketio::server& srv, engineio::socket_ptr conn);

    void start();
    // Encodes and sends one packet.
    void send(packet const& p, bool is_volatile = false);
    // Sends packet parts encoded once elsewhere (a broadcast).
    void send_parts(std::vector<engineio::outgoing_ptr> const& parts, bool is_volatile);

    void add_socket(socket_ptr s);
    void remove_socket(socket const& s);
    // Disconnects every socket ("server namespace disconnect"), then closes the connection.
    void disconnect_all();
    // Closes the connection; the sockets get `reason`.
    void close(std::string_view reason);

    // Socket objects created for a CONNECT and not connected yet (in the middlewares).
    void joining_started() { ++joining_; }
    void joining_ended();

    // A CONNECT of namespace `nsp` waits for the adapter's restore_session (nsp::add): the
    // packets of that namespace that arrive meanwhile are kept here in order, at most
    // `max_kept` (one more closes the connection); restore_ended() gives them back, to be
    // routed with replay() once the socket is connected.
    void restore_started(std::string const& nsp, std::size_t max_kept);
    std::vector<packet> restore_ended(std::string const& nsp);
    void replay(packet p) { on_packet(std::move(p)); }

    bool open() const { return open_; }
    engineio::socket& conn() const { return *conn_; }
    // The handshake of a socket made at `issued` (ms since the Unix epoch) for a CONNECT with
    // `auth` (anything but an object is {}), from the request this connection keeps.
    socketio::handshake make_handshake(json auth, std::int64_t issued) const;

private:
    void on_message(engineio::message m, util::time_point now);
    void on_message_unguarded(engineio::message& m, util::time_point now);
    void on_packet(packet p);
    void on_connect_packet(packet& p);
    // Why a CONNECT is refused before any namespace sees it; empty when it may go on.
    std::string_view refusal_of(packet const& p) const;
    void refuse_connect(std::string const& nsp, std::string_view message);
    // The session is in no namespace at `now`: starts the connect deadline and its timer.
    void on_no_namespace(util::time_point now);
    void arm_connect_timer(util::time_point now);
    void on_connect_timer(util::time_point now);
    void on_engine_close(std::string_view reason);
    void close_sockets(std::string_view reason);
    // Arms the timer for the decoder's attachment deadline, if any and not armed yet.
    void arm_binary_timer(util::time_point now);
    void on_binary_timer(util::time_point now);

    socketio::server& server_;
    engineio::socket_ptr conn_;
    decoder decoder_;
    // The socket of this client in namespace `name`, or sockets_.end().
    std::vector<socket_ptr>::iterator find_socket(std::string_view name);

    // The connected sockets, one per namespace: one of the three indexes filled and emptied
    // together (see nsp::sockets_). A list (at most max_namespaces_per_client, most often
    // one): a map cost its bucket array, a node and a copy of the name per connection.
    std::vector<socket_ptr> sockets_;
    // Set while open_ and sockets_ is empty (see connect_deadline); connect_timer_ is armed
    // for it: add_socket() clears both, the last remove_socket() sets them again.
    connect_deadline connect_deadline_;
    std::shared_ptr<timer> connect_timer_;
    // Armed while the decoder waits for attachments (it has a deadline) and open_.
    std::shared_ptr<timer> binary_timer_;
    mutable std::shared_ptr<engineio::header_list const> headers_; // shared by the handshakes
    // The socket objects of this client between their creation for a CONNECT and their
    // on_connect() or destruction; with sockets_, bounded by max_namespaces_per_client.
    std::size_t joining_ = 0;
    // The namespaces whose CONNECT waits for a restore, with the packets kept meanwhile.
    struct restoring {
        std::string nsp;
        std::size_t max_kept = 0;
        std::vector<packet> kept;
    };
    std::vector<restoring> restoring_;
    // True when `p` was kept for a namespace waiting for its restore (or closed the client).
    bool keep_while_restoring(packet& p);
    // False for good after close() or the engine's close: then sockets_ is empty, both timers
    // are dropped, the decoder holds nothing, and nothing is sent or routed.
    bool open_ = true;
};

} // namespace kibitz::socketio::detail
