#include <kibitz/cluster/requests.hpp>

namespace kibitz::cluster {

namespace {

class cluster_category_impl : public std::error_category {
public:
    char const* name() const noexcept override { return "cluster"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::not_connected:
            return "not connected to Redis";
        case errc::timed_out:
            return "timeout reached while waiting for the other servers";
        case errc::too_many_requests:
            return "too many cluster requests pending";
        }
        return "unknown cluster error";
    }
};

} // namespace

std::error_category const& cluster_category() noexcept {
    static cluster_category_impl const c;
    return c;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), cluster_category()};
}

bool pending_request::add_answer(json const& body) {
    ++received;
    switch (type) {
    case request_type::sockets:
    case request_type::remote_fetch: {
        auto s = body.find("sockets");
        if (s == body.end() || !s->is_array()) break;
        for (auto const& e : *s) {
            if (type == request_type::sockets && e.is_string()) {
                socketio::socket_info info;
                info.id = e.get<std::string>();
                sockets.push_back(std::move(info));
            } else if (auto info = parse_socket(e)) {
                sockets.push_back(std::move(*info));
            }
        }
        break;
    }
    case request_type::all_rooms: {
        auto r = body.find("rooms");
        if (r == body.end() || !r->is_array()) break;
        for (auto const& e : *r)
            if (e.is_string()) rooms.insert(e.get<std::string>());
        break;
    }
    case request_type::server_side_emit:
        responses.push_back(body.value("data", json()));
        break;
    default:
        break;
    }
    return received >= expected;
}

void pending_request::finish(std::error_code ec) {
    if (on_sockets) {
        auto done = std::move(on_sockets);
        on_sockets = nullptr;
        done(ec, std::move(sockets));
    } else if (on_rooms) {
        auto done = std::move(on_rooms);
        on_rooms = nullptr;
        done(ec, std::move(rooms));
    } else if (on_responses) {
        auto done = std::move(on_responses);
        on_responses = nullptr;
        done(ec, std::move(responses));
    }
}

} // namespace kibitz::cluster
