#include "tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace kibitz::http::detail {

namespace {
// The last OpenSSL error as text (the queue is cleared), or `fallback` when there is none.
std::string openssl_error(std::string fallback) {
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return fallback;
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return fallback + ": " + text;
}

// Asio's message for an OpenSSL error is often just "asio.ssl error": ask OpenSSL for the code.
std::string describe(net::error_code const& ec) {
    if (ec.category() != net::asio::error::get_ssl_category()) return ec.message();
    char text[256];
    ERR_error_string_n(static_cast<unsigned int>(ec.value()), text, sizeof text);
    return text;
}

bool configure(SSL_CTX* ctx, std::string& error) {
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        error = openssl_error("cannot require TLS 1.2");
        return false;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Idle connections give their read and write buffers back to OpenSSL's pool.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_set_ciphersuites(ctx, tls13_suites) != 1 ||
        SSL_CTX_set_cipher_list(ctx, tls12_ciphers) != 1) {
        error = openssl_error("cannot set the ciphers");
        return false;
    }
    return true;
}
} // namespace

std::shared_ptr<net::ssl::context>
make_tls_context(std::string const& cert_file, std::string const& key_file, std::string& error) {
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    if (!configure(ctx->native_handle(), error)) return nullptr;
    net::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec) {
        error = "cannot read the certificate " + cert_file + ": " + describe(ec);
        return nullptr;
    }
    ctx->use_private_key_file(key_file, net::ssl::context::pem, ec);
    if (ec) {
        error = "cannot read the private key " + key_file + ": " + describe(ec);
        return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        error = openssl_error("the private key does not match the certificate");
        return nullptr;
    }
    return ctx;
}

} // namespace kibitz::http::detail
