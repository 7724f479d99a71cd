#include "tls/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstring>

namespace archibald {
namespace {

// Mozilla's "intermediate" TLS 1.2 suites without DHE (it would need DH parameters).
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* tls13_suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr unsigned char alpn_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

bool apply_common(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return SSL_CTX_set_cipher_list(ctx, tls12_ciphers) == 1 &&
         SSL_CTX_set_ciphersuites(ctx, tls13_suites) == 1;
}

// ALPN: http/1.1 when the client offers it; a client that offers only other protocols is
// refused (RFC 7301 §3.2); one that offers none goes on without.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in,
                unsigned int in_len, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_len, alpn_http11, sizeof alpn_http11, in, in_len) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

ssl_ctx_ptr make_server_ctx(const std::string& cert, const std::string& key, std::string& error) {
  ssl_ctx_ptr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx || !apply_common(ctx.get())) {
    error = "TLS settings: " + openssl_error_text();
    return nullptr;
  }
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);  // tickets only: stateless
  SSL_CTX_set_num_tickets(ctx.get(), 1);
  SSL_CTX_set_alpn_select_cb(ctx.get(), select_alpn, nullptr);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert.c_str()) != 1) {
    error = "certificate " + cert + ": " + openssl_error_text();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
    error = "key " + key + ": " + openssl_error_text();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    error = "key " + key + " does not match certificate " + cert + ": " + openssl_error_text();
    return nullptr;
  }
  return ctx;
}

}  // namespace

std::string openssl_error_text() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  return text;
}

tls_server_context::tls_server_context(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

bool tls_server_context::load(std::string& error) {
  ssl_ctx_ptr fresh = make_server_ctx(cert_file_, key_file_, error);
  if (!fresh) return false;
  std::lock_guard lock(mutex_);
  ctx_ = std::move(fresh);
  return true;
}

bool tls_server_context::loaded() const {
  std::lock_guard lock(mutex_);
  return ctx_ != nullptr;
}

ssl_ptr tls_server_context::new_ssl() const {
  std::lock_guard lock(mutex_);
  if (!ctx_) return nullptr;
  ssl_ptr ssl(SSL_new(ctx_.get()));
  if (ssl) SSL_set_accept_state(ssl.get());
  return ssl;
}

std::string tls_server_context::certificate_summary() const {
  std::lock_guard lock(mutex_);
  X509* cert = ctx_ ? SSL_CTX_get0_certificate(ctx_.get()) : nullptr;
  if (!cert) return "none";
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  std::string out = subject;
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (ASN1_TIME_print(bio, X509_get0_notAfter(cert)) == 1) {
      char* text = nullptr;
      const long size = BIO_get_mem_data(bio, &text);
      out += " (expires " + std::string(text, static_cast<std::size_t>(size)) + ")";
    }
    BIO_free(bio);
  }
  return out;
}

tls_client_context::tls_client_context(const tls_client_options& options)
    : ctx_(SSL_CTX_new(TLS_client_method())), insecure_(options.insecure) {
  if (!ctx_ || !apply_common(ctx_.get())) {
    error_ = "TLS settings: " + openssl_error_text();
    return;
  }
  SSL_CTX_set_alpn_protos(ctx_.get(), alpn_http11, sizeof alpn_http11);
  if (insecure_) {
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
    return;
  }
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
  const bool trusted =
      options.ca_file.empty()
          ? SSL_CTX_set_default_verify_paths(ctx_.get()) == 1
          : SSL_CTX_load_verify_locations(ctx_.get(), options.ca_file.c_str(), nullptr) == 1;
  if (!trusted)
    error_ = "CA " + (options.ca_file.empty() ? std::string("store") : options.ca_file) + ": " +
             openssl_error_text();
}

ssl_ptr tls_client_context::new_ssl(const std::string& host) const {
  ssl_ptr ssl(SSL_new(ctx_.get()));
  if (!ssl) return nullptr;
  SSL_set_connect_state(ssl.get());
  SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  if (!insecure_) {
    // An IP address is checked against the certificate's IP entries, a name against its names.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      ERR_clear_error();
      SSL_set1_host(ssl.get(), host.c_str());
    }
  }
  return ssl;
}

}  // namespace archibald
