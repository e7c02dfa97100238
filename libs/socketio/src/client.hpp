#pragma once

#include "timer.hpp"

#include <kibitz/engineio/socket.hpp>
#include <kibitz/socketio/decoder.hpp>
#include <kibitz/socketio/handshake.hpp>
#include <kibitz/socketio/packet.hpp>
#include <kibitz/socketio/types.hpp>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace kibitz::socketio {
class server;
}

namespace kibitz::socketio::detail {

// The encoded form of one packet: the text message, then one binary message per attachment.
std::vector<engineio::outgoing_ptr> to_wire(packet const& p);

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

    bool open() const { return open_; }
    engineio::socket& conn() const { return *conn_; }
    socketio::handshake make_handshake(json auth) const;

private:
    void on_message(engineio::message m);
    void on_message_unguarded(engineio::message& m);
    void on_packet(packet p);
    void on_connect_packet(packet& p);
    // Why a CONNECT is refused before any namespace sees it; empty when it may go on.
    std::string_view refusal_of(packet const& p) const;
    void refuse_connect(std::string const& nsp, std::string_view message);
    void arm_connect_timer();
    void on_engine_close(std::string_view reason);
    void close_sockets(std::string_view reason);
    void arm_binary_timer();

    socketio::server& server_;
    engineio::socket_ptr conn_;
    decoder decoder_;
    std::unordered_map<std::string, socket_ptr> sockets_; // by namespace name
    std::shared_ptr<timer> connect_timer_;
    std::shared_ptr<timer> binary_timer_;
    mutable std::shared_ptr<engineio::header_list const> headers_; // shared by the handshakes
    std::size_t joining_ = 0;
    bool open_ = true;
};

} // namespace kibitz::socketio::detail
