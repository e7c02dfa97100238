#pragma once

// A redis-server of the test's own (Debian's package): on a free loopback port,
// without persistence, started and stopped by its pid.
#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace kibitz::redis::test {

// A port nobody listens on right now: bind 127.0.0.1:0, read it, close.
inline std::uint16_t free_port() {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

inline bool accepts(std::uint16_t port) {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool const ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

class redis_server {
public:
    // `extra`: more arguments, e.g. {"--requirepass", "secret"}.
    explicit redis_server(std::vector<std::string> extra = {})
        : port_(free_port()), extra_(std::move(extra)) {
        start();
    }
    ~redis_server() { kill(); }
    redis_server(redis_server const&) = delete;
    redis_server& operator=(redis_server const&) = delete;

    // Starts it on its port and waits (5 s at most) until it accepts connections.
    bool start() {
        pid_ = ::fork();
        if (pid_ == 0) {
            // It dies with the test, even one killed before its destructor ran.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            // Its banner and log stay out of the test's output.
            int const null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, STDOUT_FILENO);
            ::dup2(null, STDERR_FILENO);
            std::vector<std::string> args{
                "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                "--save",       "",       "--appendonly",        "no",     "--loglevel",
                "warning"};
            args.insert(args.end(), extra_.begin(), extra_.end());
            std::vector<char*> argv;
            for (auto& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execvp("redis-server", argv.data());
            ::_exit(127);
        }
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline) {
            if (accepts(port_)) return true;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }

    // SIGKILL by pid, and reap it.
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGCONT);
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    void stop_signal() { ::kill(pid_, SIGSTOP); }
    void cont_signal() { ::kill(pid_, SIGCONT); }

    bool running() const { return pid_ > 0; }
    std::uint16_t port() const { return port_; }
    std::string url(int db = 0) const {
        return "redis://127.0.0.1:" + std::to_string(port_) + (db ? "/" + std::to_string(db) : "");
    }

private:
    std::uint16_t port_;
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
};

} // namespace kibitz::redis::test
