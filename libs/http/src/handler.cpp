#include <kibitz/http/handler.hpp>

#include <unistd.h>

#include <utility>

namespace kibitz::http {

upgraded_socket::upgraded_socket(int descriptor, std::string bytes, connection_slot s)
    : fd(descriptor), leftover(std::move(bytes)), slot(std::move(s)) {}

upgraded_socket::upgraded_socket(std::shared_ptr<net::tls_socket> stream, std::string bytes,
                                 connection_slot s)
    : leftover(std::move(bytes)), slot(std::move(s)), tls(std::move(stream)) {}

upgraded_socket::~upgraded_socket() {
    if (fd >= 0) ::close(fd);
}

upgraded_socket::upgraded_socket(upgraded_socket&& other) noexcept
    : fd(other.release()), leftover(std::move(other.leftover)), slot(std::move(other.slot)),
      tls(std::move(other.tls)) {}

upgraded_socket& upgraded_socket::operator=(upgraded_socket&& other) noexcept {
    if (this == &other) return *this;
    if (fd >= 0) ::close(fd);
    fd = other.release();
    leftover = std::move(other.leftover);
    slot = std::move(other.slot);
    tls = std::move(other.tls);
    return *this;
}

int upgraded_socket::release() {
    return std::exchange(fd, -1);
}

response handler::refusal(int status, std::string_view message) const {
    response r{status, {}, std::string(message), false};
    r.set("Content-Type", "text/plain");
    return r;
}

} // namespace kibitz::http
