#pragma once

#include <string>
#include <string_view>

namespace kibitz::redis {

// `text` as a Redis glob pattern that matches exactly `text` (util.c stringmatchlen): a
// backslash before each of * ? [ ] \. The classic adapter's pattern is "<prefix>#<nsp>#*", and a
// namespace may hold those characters ("/a*b"); Node does not escape them (docs/cluster.md), so
// its node also hears other namespaces' broadcasts and drops them only after decoding.
std::string escape_glob(std::string_view text);

} // namespace kibitz::redis
