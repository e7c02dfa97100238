#include <kibitz/admin/serialize.hpp>

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace kibitz::admin {

json supported_features(bool readonly, bool development) {
    json f = json::array();
    if (!readonly)
        for (auto name : {"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"})
            f.push_back(name);
    f.push_back("AGGREGATED_EVENTS");
    if (development) f.push_back("ALL_EVENTS");
    return f;
}

json admin_data(std::string_view client_id, std::string_view transport) {
    return {{"clientId", std::string(client_id.substr(0, 12))},
            {"transport", std::string(transport)}};
}

json serialize_data(json const& data) {
    if (!data.is_object() || !data.contains(admin_data_key)) return data;
    json copy = data;
    copy.erase(std::string(admin_data_key));
    return copy;
}

json headers_json(http::header_list const& headers) {
    json out = json::object();
    for (auto const& [name, value] : headers) {
        std::string key;
        key.reserve(name.size());
        for (char c : name)
            key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        auto it = out.find(key);
        if (it == out.end())
            out[key] = value;
        else
            *it = it->get<std::string>() + ", " + value;
    }
    return out;
}

namespace {
// A header value the UI shows as the address, if set and a string.
std::string first_header(json const& headers, char const* name) {
    auto it = headers.find(name);
    return it != headers.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json admin_field(json const& data, char const* name) {
    if (!data.is_object()) return nullptr;
    auto a = data.find(admin_data_key);
    if (a == data.end() || !a->is_object()) return nullptr;
    auto f = a->find(name);
    return f == a->end() ? json(nullptr) : *f;
}

std::tm utc(std::int64_t unix_ms, int& millis) {
    std::int64_t secs = unix_ms / 1000;
    millis = static_cast<int>(unix_ms % 1000);
    if (millis < 0) {
        millis += 1000;
        --secs;
    }
    auto t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}
} // namespace

json serialize_socket(socketio::socket_info const& info, std::string_view nsp) {
    auto const& hs = info.handshake;
    json headers = headers_json(hs.headers.list());
    std::string address = first_header(headers, "cf-connecting-ip");
    if (address.empty()) address = first_header(headers, "x-forwarded-for");
    if (address.empty()) address = hs.address;
    bool xdomain = headers.contains("origin");
    json handshake = {{"address", address},  {"headers", std::move(headers)},
                      {"query", hs.query},   {"issued", hs.issued},
                      {"secure", hs.secure}, {"time", date_string(hs.issued)},
                      {"url", hs.url},       {"xdomain", xdomain}};
    json rooms = json::array();
    for (auto const& r : info.rooms)
        rooms.push_back(r);
    json out = {{"id", info.id},
                {"nsp", std::string(nsp)},
                {"data", serialize_data(info.data)},
                {"handshake", std::move(handshake)},
                {"rooms", std::move(rooms)}};
    // Node leaves undefined fields out of the JSON.
    if (auto c = admin_field(info.data, "clientId"); !c.is_null()) out["clientId"] = c;
    if (auto t = admin_field(info.data, "transport"); !t.is_null()) out["transport"] = t;
    return out;
}

std::string iso_time(std::int64_t unix_ms) {
    int millis = 0;
    std::tm tm = utc(unix_ms, millis);
    // Room for any int in each field (what the compiler checks at -O3), not just a real date.
    std::array<char, 80> buf{};
    std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf.data();
}

std::string date_string(std::int64_t unix_ms) {
    int millis = 0;
    std::tm tm = utc(unix_ms, millis);
    std::array<char, 64> buf{};
    std::strftime(buf.data(), buf.size(), "%a %b %d %Y %H:%M:%S GMT+0000", &tm);
    return std::string(buf.data()) + " (Coordinated Universal Time)";
}

json server_stats(stats_input const& in) {
    json namespaces = json::array();
    for (auto const& [name, count] : in.namespaces)
        namespaces.push_back({{"name", name}, {"socketsCount", count}});
    return {{"serverId", in.server_id},
            {"hostname", in.hostname},
            {"pid", in.pid},
            {"uptime", in.uptime_seconds},
            {"clientsCount", in.clients_count},
            {"pollingClientsCount", in.polling_clients_count},
            {"aggregatedEvents", to_json(in.events)},
            {"namespaces", std::move(namespaces)}};
}

} // namespace kibitz::admin
