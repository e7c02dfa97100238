#pragma once

#include <kibitz/util/json.hpp>

#include <string>
#include <string_view>

namespace kibitz::socketio::detail {

// The data of an EVENT packet: the event name, then the arguments (`args` is the array of
// arguments; any other value is one argument). An array of arguments becomes the data itself,
// the name inserted before them: no new array (the arguments of an incoming event keep the
// room their own event name had, so a relay allocates nothing here).
inline json event_data(std::string_view event, json args) {
    if (args.is_array()) {
        auto& list = args.get_ref<json::array_t&>();
        list.insert(list.begin(), json(std::string(event)));
        return args;
    }
    json data = json::array();
    auto& list = data.get_ref<json::array_t&>();
    list.reserve(2);
    list.emplace_back(std::string(event));
    list.push_back(std::move(args));
    return data;
}

// Empties `j` from its leaves up, so that no destructor allocates: nlohmann's destructor of a
// non-empty array or object first moves the children onto a heap-allocated stack (one to
// three allocations per packet). What lies deeper than `depth` levels is left to it.
inline void release(json& j, int depth = 16) {
    if (depth <= 0) return;
    if (j.is_array()) {
        auto& list = j.get_ref<json::array_t&>();
        for (auto& e : list)
            release(e, depth - 1);
        list.clear();
    } else if (j.is_object()) {
        auto& members = j.get_ref<json::object_t&>();
        for (auto& m : members)
            release(m.second, depth - 1);
        members.clear();
    }
}

} // namespace kibitz::socketio::detail
