#include <kibitz/admin/event_buffer.hpp>

#include <utility>

namespace kibitz::admin {

void event_buffer::push(std::int64_t unix_ms, std::string_view type, std::string_view sub_type,
                        std::uint64_t count) {
    if (count == 0) return;
    // Node: timestamp.setMilliseconds(0), floored (also before 1970).
    std::int64_t second = unix_ms - ((unix_ms % 1000) + 1000) % 1000;
    // A handful of entries per second: a linear search beats a map here.
    for (auto& e : entries_)
        if (e.timestamp == second && e.type == type && e.sub_type == sub_type) {
            e.count += count;
            return;
        }
    if (entries_.size() >= max_entries_) {
        dropped_ += count;
        return;
    }
    entries_.push_back({second, std::string(type), std::string(sub_type), count});
}

std::vector<aggregated_event> event_buffer::take() {
    return std::exchange(entries_, {});
}

json to_json(aggregated_event const& e) {
    json j = {{"timestamp", e.timestamp}, {"type", e.type}};
    if (!e.sub_type.empty()) j["subType"] = e.sub_type;
    j["count"] = e.count;
    return j;
}

json to_json(std::vector<aggregated_event> const& events) {
    json out = json::array();
    for (auto const& e : events)
        out.push_back(to_json(e));
    return out;
}

} // namespace kibitz::admin
