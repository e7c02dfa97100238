#include <kibitz/names/names.hpp>
#include <kibitz/util/utf8.hpp>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace kibitz::names {
namespace {

bool is_letter(std::uint32_t cp) {
    return (U_GET_GC_MASK(static_cast<UChar32>(cp)) & U_GC_L_MASK) != 0;
}

bool is_mark(std::uint32_t cp) {
    return (U_GET_GC_MASK(static_cast<UChar32>(cp)) & U_GC_M_MASK) != 0;
}

bool is_decimal_digit(std::uint32_t cp) {
    return u_charType(static_cast<UChar32>(cp)) == U_DECIMAL_DIGIT_NUMBER;
}

// Shown as nothing: default-ignorable code points (U+3164 HANGUL FILLER, U+115F, U+1160,
// U+FFA0, U+180E, U+200B..U+200F, U+FE00..U+FE0F, ...) and the blank-looking letters that are
// not in that property.
bool is_invisible(std::uint32_t cp) {
    auto const c = static_cast<UChar32>(cp);
    return u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) || cp == 0x2800 ||
           cp == 0x3164 || cp == 0x115F || cp == 0x1160 || cp == 0xFFA0;
}

constexpr std::string_view reserved[] = {
    "admin",     "administrator", "anonymous", "everyone", "here",      "kibitz", "mod",
    "moderator", "nobody",        "null",      "official", "owner",     "root",   "server",
    "staff",     "support",       "sysop",     "system",   "undefined",
};

struct spoof_closer {
    void operator()(USpoofChecker* sc) const noexcept { uspoof_close(sc); }
};

// The spoof checker, opened once. uspoof_getSkeleton is thread-safe on a shared checker.
USpoofChecker const* checker() {
    static std::unique_ptr<USpoofChecker, spoof_closer> const sc = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<USpoofChecker, spoof_closer> p(uspoof_open(&status));
        if (U_FAILURE(status)) p.reset();
        return p;
    }();
    return sc.get();
}

// The UTS #39 skeleton of a UTF-8 string; empty on failure.
std::string skeleton_of(std::string_view text) {
    auto const* sc = checker();
    if (sc == nullptr) return {};
    UErrorCode status = U_ZERO_ERROR;
    auto const len = static_cast<std::int32_t>(text.size());
    std::int32_t const need = uspoof_getSkeletonUTF8(sc, 0, text.data(), len, nullptr, 0, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return {};
    std::string out(static_cast<std::size_t>(need), '\0');
    status = U_ZERO_ERROR;
    uspoof_getSkeletonUTF8(sc, 0, text.data(), len, out.data(), need, &status);
    if (U_FAILURE(status)) return {};
    return out;
}

// The skeleton compared with the reserved list: separators removed, so "ad.min" and "_root_"
// count too.
std::string bare(std::string s) {
    std::erase_if(s, [](char c) { return c == '_' || c == '-' || c == '.'; });
    return s;
}

std::vector<std::string> const& reserved_skeletons() {
    static std::vector<std::string> const skeletons = [] {
        std::vector<std::string> out;
        for (auto r : reserved)
            out.push_back(bare(skeleton_of(r)));
        return out;
    }();
    return skeletons;
}

// NFKC_Casefold of any UTF-8 text; empty on failure.
std::string fold(std::string_view text) {
    UErrorCode status = U_ZERO_ERROR;
    auto const* normalizer = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status) || normalizer == nullptr) return {};
    auto source = icu::UnicodeString::fromUTF8(
        icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
    auto folded = normalizer->normalize(source, status);
    if (U_FAILURE(status)) return {};
    std::string out;
    folded.toUTF8String(out);
    return out;
}

} // namespace

bool is_well_formed(std::string_view name) {
    if (name.empty() || !util::is_valid_utf8(name)) return false;
    std::size_t count = 0;
    bool after_base = false; // the previous code point can carry a combining mark
    for (std::size_t pos = 0; pos < name.size();) {
        auto const cp = util::next_code_point(name, pos);
        if (++count > max_name_chars) return false;
        if (is_letter(cp) || is_decimal_digit(cp)) {
            after_base = true;
        } else if (is_mark(cp)) {
            if (!after_base) return false;
        } else if (cp == '_' || cp == '-' || cp == '.') {
            after_base = false;
        } else {
            return false;
        }
    }
    return true;
}

std::string key(std::string_view name) {
    return is_well_formed(name) ? fold(name) : std::string();
}

std::vector<std::string> skeletons(std::string_view name) {
    std::vector<std::string> out;
    if (!is_well_formed(name)) return out;
    // Fold, then skeleton: "PAYPAL" meets "paypal". Skeleton, fold, skeleton: "paypaI" (capital
    // i) meets "paypal", which folding first would turn into "paypai".
    auto const add = [&out](std::string s) {
        if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end())
            out.push_back(std::move(s));
    };
    add(skeleton_of(fold(name)));
    add(skeleton_of(fold(skeleton_of(name))));
    return out;
}

bool confusable(std::string_view a, std::string_view b) {
    auto const sa = skeletons(a);
    for (auto const& s : skeletons(b))
        if (std::find(sa.begin(), sa.end(), s) != sa.end()) return true;
    return false;
}

verdict check(std::string_view name) {
    if (!is_well_formed(name)) return verdict::invalid;
    for (std::size_t pos = 0; pos < name.size();)
        if (is_invisible(util::next_code_point(name, pos))) return verdict::invisible;
    auto const sks = skeletons(name);
    if (sks.empty()) return verdict::invalid;
    auto const& list = reserved_skeletons();
    for (auto const& sk : sks)
        if (std::find(list.begin(), list.end(), bare(sk)) != list.end()) return verdict::reserved;
    return verdict::ok;
}

std::string_view explain(verdict v) {
    switch (v) {
    case verdict::ok:
        return "the name is fine";
    case verdict::invalid:
        return "a name is 1 to 24 letters, digits, '_', '-' or '.', and cannot start with a mark";
    case verdict::invisible:
        return "a name cannot contain invisible characters";
    case verdict::reserved:
        return "that name is reserved";
    }
    return "the name is not allowed";
}

std::span<std::string_view const> reserved_names() {
    return reserved;
}

} // namespace kibitz::names
