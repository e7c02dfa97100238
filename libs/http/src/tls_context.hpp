#pragma once

#include <kibitz/net/tls.hpp>

#include <memory>
#include <string>

namespace kibitz::http::detail {

// The TLS 1.3 cipher suites, and the TLS 1.2 ciphers (forward secrecy and AEAD only: ECDHE
// with AES-GCM or ChaCha20-Poly1305, Mozilla's "intermediate" list without DHE). TLS 1.0 and
// 1.1, compression, renegotiation, CBC, RC4, 3DES and static RSA key exchange are off.
inline constexpr char const* tls13_suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
inline constexpr char const* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// A server context with the settings above and the certificate chain and private key read
// from PEM files. Null, with `error` set, when a file cannot be read, the key does not match
// the certificate, or OpenSSL refuses a setting.
std::shared_ptr<net::ssl::context>
make_tls_context(std::string const& cert_file, std::string const& key_file, std::string& error);

} // namespace kibitz::http::detail
