#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kibitz::chat {

// Validation of what people type (PROTOCOL.md "Conventions" and the /chat rules). Pure
// functions of their input: no clock, no I/O, never throw on any bytes.

// True when `name` is valid UTF-8 of 1 to 24 code points, each a letter of any script (Unicode
// category L*), a combining mark (M*) following a letter, digit or mark, a decimal digit (Nd),
// '_', '-' or '.'. A name cannot start with a mark.
bool is_valid_name(std::string_view name);

// The comparison key of a valid name: its NFKC case fold (Unicode NFKC_Casefold), so "ZOË",
// "zoë" and "zoe\u0308" share one key. Names compare equal when their keys do. Empty for an
// invalid name.
std::string name_key(std::string_view name);

// True for 1 to 64 characters of a-z 0-9 _ - : .
bool is_valid_room(std::string_view room);

// True when `text` may be sent: valid UTF-8 (no surrogates, so CESU-8 is refused), 1 to 2000
// code points, not only white space (Unicode White_Space), no C0/C1 control character but tab
// and line feed, no bidi embedding, override or isolate (U+202A..U+202E, U+2066..U+2069).
bool is_valid_text(std::string_view text);

// True for a client message id: 1 to 64 code points of valid UTF-8.
bool is_valid_client_id(std::string_view id);

// A text of the form "@name rest": the recipient's name and the rest after one space. Only a
// valid name directly after a leading '@' and followed by U+0020 counts; anything else is
// ordinary text (nullopt). `rest` is not validated here.
struct mention {
    std::string name;
    std::string rest;
};
std::optional<mention> parse_mention(std::string_view text);

// The `@name` mentions anywhere in `text`: an '@' at the start or after a character that cannot
// be in a name (so "ann@example.org" mentions nobody), then the longest run of name characters.
// Each mention comes as the names it may mean, longest first: the run, then the run without
// trailing '.', '-' or '_' one at a time ("@bob." may mean "bob." or "bob"), only valid names.
// Mentions whose every reading is invalid are left out; at most `max` mentions.
std::vector<std::vector<std::string>> mention_candidates(std::string_view text,
                                                         std::size_t max = 50);

} // namespace kibitz::chat
