#include "ws_deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>

namespace kibitz::engineio::detail {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// A window-bits value: 8 to 15, perhaps quoted (RFC 7692 section 7.1.2.1).
std::optional<int> window_bits(std::string_view v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.size() == 1 && v[0] >= '8' && v[0] <= '9') return v[0] - '0';
    if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return 10 + (v[1] - '0');
    return std::nullopt;
}

// Whether one permessage-deflate offer's parameters (after the name) are acceptable.
bool acceptable(std::string_view params) {
    bool seen[4] = {false, false, false, false};
    constexpr std::string_view names[4] = {"server_no_context_takeover",
                                           "client_no_context_takeover", "server_max_window_bits",
                                           "client_max_window_bits"};
    while (!params.empty()) {
        auto semi = params.find(';');
        auto param = trim(params.substr(0, semi));
        params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
        auto eq = param.find('=');
        auto name = trim(param.substr(0, eq));
        std::optional<std::string_view> value;
        if (eq != std::string_view::npos) value = trim(param.substr(eq + 1));
        auto it = std::find(std::begin(names), std::end(names), name);
        if (it == std::end(names)) return false; // unknown parameter: decline (section 5)
        auto index = static_cast<std::size_t>(it - std::begin(names));
        if (seen[index]) return false;
        seen[index] = true;
        if (index < 2 && value) return false;
        // Our shared frames use a 32 KiB window: a client that asks for less is declined.
        if (index == 2 && (!value || window_bits(*value) != 15)) return false;
        if (index == 3 && value && !window_bits(*value)) return false;
    }
    return true;
}

// zlib streams kept for the thread and reset before each message (no context takeover).
struct deflater {
    z_stream z{};
    bool ok = false;
    deflater() {
        ok =
            deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~deflater() {
        if (ok) deflateEnd(&z);
    }
    deflater(deflater const&) = delete;
    deflater& operator=(deflater const&) = delete;
};

struct inflater {
    z_stream z{};
    bool ok = false;
    inflater() { ok = inflateInit2(&z, -15) == Z_OK; }
    ~inflater() {
        if (ok) inflateEnd(&z);
    }
    inflater(inflater const&) = delete;
    inflater& operator=(inflater const&) = delete;
};

constexpr unsigned char sync_tail[4] = {0x00, 0x00, 0xFF, 0xFF};

Bytef* bytes(char const* p) {
    return reinterpret_cast<Bytef*>(const_cast<char*>(p));
}
} // namespace

std::optional<std::string> negotiate_per_message_deflate(std::string_view offers) {
    while (!offers.empty()) {
        auto comma = offers.find(',');
        auto offer = trim(offers.substr(0, comma));
        offers = comma == std::string_view::npos ? std::string_view{} : offers.substr(comma + 1);
        auto semi = offer.find(';');
        if (trim(offer.substr(0, semi)) != "permessage-deflate") continue;
        auto params = semi == std::string_view::npos ? std::string_view{} : offer.substr(semi + 1);
        if (acceptable(params)) return std::string(per_message_deflate_answer);
    }
    return std::nullopt;
}

std::optional<std::string> deflate_message(std::string_view payload) {
    thread_local deflater d;
    if (!d.ok || payload.size() > UINT_MAX / 2 || deflateReset(&d.z) != Z_OK) return std::nullopt;
    std::string out;
    // Room for everything and the sync flush's empty stored block.
    out.resize(deflateBound(&d.z, static_cast<uLong>(payload.size())) + 16);
    d.z.next_in = bytes(payload.data());
    d.z.avail_in = static_cast<uInt>(payload.size());
    d.z.next_out = bytes(out.data());
    d.z.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&d.z, Z_SYNC_FLUSH);
    if (rc != Z_OK || d.z.avail_in != 0 || d.z.avail_out == 0) return std::nullopt;
    out.resize(out.size() - d.z.avail_out);
    // Section 7.2.1: the flush ends with 00 00 FF FF, which the frame leaves out.
    if (out.size() < 4 || std::memcmp(out.data() + out.size() - 4, sync_tail, 4) != 0)
        return std::nullopt;
    out.resize(out.size() - 4);
    return out;
}

inflate_result inflate_message(std::string_view compressed, std::size_t max_size,
                               std::string& out) {
    thread_local inflater inf;
    out.clear();
    if (!inf.ok || inflateReset(&inf.z) != Z_OK) return inflate_result::invalid;
    // Never more than max_size + 1 bytes: the one past the limit tells a bomb from a fit.
    std::size_t cap = max_size < SIZE_MAX ? max_size + 1 : max_size;
    std::string_view inputs[2] = {compressed,
                                  std::string_view(reinterpret_cast<char const*>(sync_tail), 4)};
    std::size_t produced = 0;
    for (auto input : inputs) {
        while (!input.empty()) {
            auto chunk = std::min<std::size_t>(input.size(), UINT_MAX);
            inf.z.next_in = bytes(input.data());
            inf.z.avail_in = static_cast<uInt>(chunk);
            for (;;) {
                if (produced == out.size()) {
                    if (out.size() >= cap) return inflate_result::too_big;
                    auto grown = std::max<std::size_t>(4096, out.size() * 2);
                    out.resize(std::min(cap, grown));
                }
                auto room = std::min<std::size_t>(out.size() - produced, UINT_MAX);
                inf.z.next_out = bytes(out.data() + produced);
                inf.z.avail_out = static_cast<uInt>(room);
                int rc = inflate(&inf.z, Z_SYNC_FLUSH);
                produced += room - inf.z.avail_out;
                if (rc == Z_STREAM_END) {
                    // A final block ends the message; bytes after it are ignored.
                    if (produced > max_size) return inflate_result::too_big;
                    out.resize(produced);
                    return inflate_result::ok;
                }
                if (rc != Z_OK && rc != Z_BUF_ERROR) return inflate_result::invalid;
                if (produced > max_size) return inflate_result::too_big;
                // Done with this input once zlib took it all and had room left over.
                if (inf.z.avail_in == 0 && inf.z.avail_out > 0) break;
                if (rc == Z_BUF_ERROR && inf.z.avail_out > 0) return inflate_result::invalid;
            }
            input.remove_prefix(chunk);
        }
    }
    out.resize(produced);
    return inflate_result::ok;
}

} // namespace kibitz::engineio::detail
