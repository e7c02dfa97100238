// libFuzzer target for the RESP2 parser. The input is what a Redis port sent us, fed twice:
// whole, and in chunks whose sizes come from the input's first byte. Both parsers must yield the
// same replies and end the same way (need more, or the same error), the replies re-encoded must
// be exactly the bytes they came from, and nothing may crash or pass the limits. Then the input,
// cut at 0xff bytes, is sent as a command and must parse back as those arguments, and read as a
// redis:// URL gives nothing or a host and a port.
#include <kibitz/redis/command.hpp>
#include <kibitz/redis/parser.hpp>
#include <kibitz/redis/url.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kibitz::redis;

void check(bool ok) {
    if (!ok) std::abort();
}

parser_limits small_limits() {
    parser_limits limits;
    limits.max_bulk_bytes = 1024;
    limits.max_line_bytes = 128;
    limits.max_array_length = 64;
    limits.max_depth = 8;
    limits.max_reply_values = 256;
    limits.max_buffered_bytes = 1 << 20;
    return limits;
}

struct outcome {
    std::vector<value> replies;
    bool failed = false;
    parse_error error = parse_error::invalid_type;
};

void drain(parser& p, outcome& out) {
    while (!out.failed) {
        parse_result r = p.next();
        if (r.failed()) {
            out.failed = true;
            out.error = r.error;
        } else if (r.has_reply()) {
            out.replies.push_back(std::move(r.reply));
        } else {
            return;
        }
    }
}

std::size_t depth_of(value const& v) {
    if (v.type != type::array) return 0;
    std::size_t deepest = 0;
    for (auto const& e : v.elements)
        deepest = std::max(deepest, depth_of(e));
    return deepest + 1;
}

outcome run(std::string_view input, std::size_t chunk) {
    parser p(small_limits());
    outcome out;
    while (!input.empty() && !out.failed) {
        std::string_view const piece = input.substr(0, chunk);
        input.remove_prefix(piece.size());
        check(!p.feed(piece));
        drain(p, out);
    }
    drain(p, out);
    return out;
}

void check_command(std::string_view input) {
    std::vector<std::string_view> args;
    while (!input.empty()) {
        std::size_t const cut = input.find('\xff');
        args.push_back(input.substr(0, cut));
        input.remove_prefix(cut == std::string_view::npos ? input.size() : cut + 1);
    }
    parser p;
    check(!p.feed(command(args)));
    parse_result const r = p.next();
    check(r.has_reply() && r.reply.type == type::array);
    check(r.reply.elements.size() == args.size());
    for (std::size_t i = 0; i < args.size(); ++i) {
        check(r.reply.elements[i] == value::bulk(std::string(args[i])));
    }
    check(p.idle());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) return 0;
    std::size_t const chunk = 1 + data[0] % 17;
    std::string_view const input(reinterpret_cast<char const*>(data) + 1, size - 1);
    outcome const whole = run(input, input.size() + 1);
    outcome const split = run(input, chunk);
    check(whole.replies == split.replies);
    check(whole.failed == split.failed);
    check(!whole.failed || whole.error == split.error);
    std::string encoded;
    for (auto const& v : whole.replies) {
        check(depth_of(v) <= small_limits().max_depth);
        encode(v, encoded);
    }
    check(input.substr(0, encoded.size()) == encoded);
    check_command(input);
    if (auto const u = parse_url(input)) check(!u->host.empty() && u->port != 0);
    return 0;
}
