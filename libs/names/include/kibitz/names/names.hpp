#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// The names people choose, for every app (chat names, chess player names): one set of rules so
// that a name accepted in one place is accepted in the other, and a name that cannot be trusted
// (invisible, reserved, or a look-alike) is refused everywhere. Pure functions of their input:
// no clock, no I/O, never throw on any bytes (except std::bad_alloc).
namespace kibitz::names {

inline constexpr std::size_t max_name_chars = 24;

// What check() thinks of a name.
enum class verdict {
    ok,
    invalid,   // not the shape of a name (see is_well_formed)
    invisible, // holds an invisible or default-ignorable code point (U+3164, U+115F, U+FFA0...)
    reserved,  // reads as one of the reserved names (reserved_names()), after folding
};

// True when `name` is valid UTF-8 of 1 to 24 code points, each a letter of any script (Unicode
// category L*), a combining mark (M*) following a letter, digit or mark, a decimal digit (Nd),
// '_', '-' or '.'. A name cannot start with a mark.
bool is_well_formed(std::string_view name);

// The comparison key of a well-formed name: its NFKC case fold (Unicode NFKC_Casefold), so
// "ZOË", "zoë" and "zoe\u0308" share one key. Empty for a name that is not well formed.
std::string key(std::string_view name);

// The confusable skeletons of a well-formed name (UTS #39, ICU's uspoof_getSkeleton, with NFKC
// case folding before it, and between two passes of it): one or two strings. Two names look
// alike when they share a skeleton ("paypal" and "pаypal" with a Cyrillic а, "l" and capital
// "I", "rn" and "m", "PAYPAL", full-width letters). Empty for a name that is not well formed.
std::vector<std::string> skeletons(std::string_view name);

// True when the well-formed names `a` and `b` look alike (share a skeleton).
bool confusable(std::string_view a, std::string_view b);

// The verdict on `name`: invalid, then invisible, then reserved, else ok. Uniqueness is the
// app's business (chess names need not be unique); compare skeletons() for look-alikes.
verdict check(std::string_view name);

// A sentence for people about a verdict other than ok (for error messages).
std::string_view explain(verdict v);

// The reserved names, in lower case: system, server, admin, ... A name is reserved when its
// skeletons, with '_', '-' and '.' removed, include the skeleton of one of these.
std::span<std::string_view const> reserved_names();

} // namespace kibitz::names
