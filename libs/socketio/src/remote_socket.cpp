#include <kibitz/socketio/broadcast.hpp>
#include <kibitz/socketio/remote_socket.hpp>

#include <vector>

namespace kibitz::socketio {

void broadcast_operator::fetch_remote_sockets(
    std::function<void(std::vector<remote_socket>)> done) const {
    // The adapter answers once, now or later (a cluster adapter asks the other servers).
    fetch_sockets([n = nsp_, done = std::move(done)](std::vector<socket_info> infos) {
        std::vector<remote_socket> out;
        out.reserve(infos.size());
        for (auto& info : infos)
            out.emplace_back(*n, std::move(info));
        done(std::move(out));
    });
}

} // namespace kibitz::socketio
