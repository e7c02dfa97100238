#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace kibitz::util::detail {

// The Merkle–Damgård frame SHA-1 and SHA-256 share (FIPS 180-4 §5.1.1, §6): every 64-byte block
// of `bytes` through `process_block(h, block)`, then the rest, 0x80, zeros and the length in
// bits, big-endian, in one or two final blocks; the digest is `h` as big-endian words.
template<std::size_t Words, typename ProcessBlock>
std::array<std::uint8_t, 4 * Words>
merkle_damgard(std::uint32_t (&h)[Words], std::string_view bytes, ProcessBlock process_block) {
    auto const* p = reinterpret_cast<unsigned char const*>(bytes.data());
    std::size_t const n = bytes.size();
    std::size_t i = 0;
    for (; i + 64 <= n; i += 64)
        process_block(h, p + i);
    unsigned char tail[128] = {};
    std::size_t const rest = n - i;
    if (rest > 0) std::memcpy(tail, p + i, rest);
    tail[rest] = 0x80;
    std::size_t const total = rest + 9 <= 64 ? 64 : 128;
    auto const bits = static_cast<std::uint64_t>(n) * 8;
    for (std::size_t j = 0; j < 8; ++j)
        tail[total - 1 - j] = static_cast<unsigned char>(bits >> (8 * j));
    process_block(h, tail);
    if (total == 128) process_block(h, tail + 64);
    std::array<std::uint8_t, 4 * Words> out{};
    for (std::size_t j = 0; j < Words; ++j)
        for (std::size_t k = 0; k < 4; ++k)
            out[4 * j + k] = static_cast<std::uint8_t>(h[j] >> (24 - 8 * k));
    return out;
}

} // namespace kibitz::util::detail
