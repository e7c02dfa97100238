// libFuzzer target for kibitz::msgpack::read. The input is one message from another node. The
// reader must return a value or an error, never crash, throw or exceed its limits; a value it
// returns must be writable, and what the writer writes must read back and write again to the
// same bytes (the writer's output is a fixed point).
#include <kibitz/msgpack/reader.hpp>
#include <kibitz/msgpack/writer.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace kibitz;

void check(bool ok) {
    if (!ok) std::abort();
}

std::size_t depth_of(json const& v) {
    if (!v.is_structured()) return 0;
    std::size_t deepest = 0;
    for (auto const& element : v) {
        std::size_t const d = depth_of(element);
        if (d > deepest) deepest = d;
    }
    return deepest + 1;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    msgpack::reader_limits limits;
    limits.max_bytes = 64 * 1024;
    limits.max_values = 20'000;
    limits.max_depth = 32;
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    json value;
    if (msgpack::read(input, value, limits)) {
        check(value.is_null());
        return 0;
    }
    check(depth_of(value) <= limits.max_depth);
    // Our bytes may be longer (float32 becomes float64, a timestamp a string): more room.
    std::string const bytes = msgpack::write(value);
    msgpack::reader_limits wide = limits;
    wide.max_bytes = bytes.size();
    json again;
    check(!msgpack::read(bytes, again, wide));
    check(msgpack::write(again) == bytes);
    return 0;
}
