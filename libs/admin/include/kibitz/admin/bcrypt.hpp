#pragma once

#include <string_view>

namespace kibitz::admin {

// Whether `hash` is a bcrypt hash libcrypt can check: "$2a$", "$2b$" or "$2y$", a two-digit cost
// from 04 to 31, "$", then 53 characters of bcrypt's base64 (60 in all), as bcryptjs and
// `htpasswd -B` write them.
bool is_bcrypt_hash(std::string_view hash);

// True when `password` hashes to `hash` (a bcrypt hash, is_bcrypt_hash). A password with a NUL
// byte never matches (crypt takes C strings), nor does anything against an invalid hash.
// Costs the hash's work factor (cost 10: tens of ms of CPU): call it off the loop thread
// (verifier.hpp). Thread-safe (crypt_r with its own state); never throws.
bool bcrypt_check(std::string_view password, std::string_view hash);

} // namespace kibitz::admin
