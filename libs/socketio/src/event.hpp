#pragma once

#include <kibitz/util/json.hpp>

#include <string>
#include <string_view>

namespace kibitz::socketio::detail {

// The data of an EVENT packet: the event name, then the arguments (`args` is the array of
// arguments; any other value is one argument).
inline json event_data(std::string_view event, json args) {
    json data = json::array();
    data.push_back(std::string(event));
    if (args.is_array()) {
        for (auto& a : args)
            data.push_back(std::move(a));
    } else {
        data.push_back(std::move(args));
    }
    return data;
}

} // namespace kibitz::socketio::detail
