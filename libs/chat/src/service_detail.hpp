#pragma once

#include <kibitz/chat/messages.hpp>

#include <string>

namespace kibitz::chat::detail {

// The Socket.IO room of a chat room. The prefix keeps chat rooms apart from the room every
// socket has under its own id.
inline std::string sio_room(std::string const& room) {
    return "room:" + room;
}

inline json emit_args(server_message const& m) {
    return json::array({to_json(m)});
}

} // namespace kibitz::chat::detail
