#include <kibitz/util/json_fields.hpp>

#include <utility>

namespace kibitz::util {
namespace {

// The field's value, or null when `obj` is no object or has no such field.
json const* find_field(json const& obj, char const* key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

} // namespace

field_state string_field(json const& obj, char const* key, std::string& out) {
    json const* v = find_field(obj, key);
    if (!v) return field_state::absent;
    if (!v->is_string()) return field_state::wrong;
    out = v->get_ref<std::string const&>();
    return field_state::ok;
}

bool optional_string(json const& obj, char const* key, std::optional<std::string>& out) {
    std::string value;
    switch (string_field(obj, key, value)) {
    case field_state::absent:
        return true;
    case field_state::ok:
        out = std::move(value);
        return true;
    case field_state::wrong:
        return false;
    }
    return false;
}

std::optional<std::string> bounded_string(json const& obj, char const* key, std::size_t max_bytes) {
    std::string value;
    if (string_field(obj, key, value) != field_state::ok) return std::nullopt;
    if (value.empty() || value.size() > max_bytes) return std::nullopt;
    return value;
}

std::optional<std::int64_t> bounded_int(json const& obj, char const* key, std::int64_t max) {
    json const* v = find_field(obj, key);
    if (!v || !v->is_number_integer()) return std::nullopt;
    if (v->is_number_unsigned()) {
        auto const u = v->get<std::uint64_t>();
        if (max < 0 || u > static_cast<std::uint64_t>(max)) return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    auto const i = v->get<std::int64_t>();
    if (i < 0 || i > max) return std::nullopt;
    return i;
}

field_state bool_field(json const& obj, char const* key, bool& out) {
    json const* v = find_field(obj, key);
    if (!v) return field_state::absent;
    if (!v->is_boolean()) return field_state::wrong;
    out = v->get<bool>();
    return field_state::ok;
}

} // namespace kibitz::util
