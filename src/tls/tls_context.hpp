// The TLS settings of the server's port and of the project's clients.
//
// Server: TLS 1.2 and 1.3 only, the Mozilla "intermediate" profile without its DHE suites
// (ECDHE with AES-GCM or ChaCha20-Poly1305 on TLS 1.2; TLS 1.3's three suites), ALPN http/1.1,
// no renegotiation, no compression, stateless session tickets and no server session cache (no
// per-client memory), SSL_MODE_RELEASE_BUFFERS. The certificate (PEM, full chain) and key are
// read from files; reload() reads them again (SIGHUP): new handshakes use the new pair, open
// connections keep theirs, and a file that does not load leaves the current pair in place.
//
// Client: TLS 1.2+, the peer verified against a CA file or the system's store, its name checked
// (SNI sent), or no verification at all (insecure: self-signed test certificates).
// Both are safe to use from any thread.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <mutex>
#include <string>

#include "tls/tls_socket.hpp"

namespace archibald {

struct ssl_ctx_free_deleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ssl_ctx_free_deleter>;

class tls_server_context {
 public:
  tls_server_context(std::string cert_file, std::string key_file);

  // Reads the certificate and key (again). On failure returns false with why, and keeps the
  // pair it had (none before the first success).
  bool load(std::string& error);
  bool loaded() const;
  // A new connection's SSL, in the server state; null before a successful load().
  ssl_ptr new_ssl() const;
  // "CN=… (expires …)" of the current certificate, for the log.
  std::string certificate_summary() const;

 private:
  const std::string cert_file_, key_file_;
  mutable std::mutex mutex_;
  ssl_ctx_ptr ctx_;  // GUARDED_BY(mutex_); an SSL keeps its own reference to its context
};

struct tls_client_options {
  std::string ca_file{};  // PEM; empty: the system's trust store
  bool insecure = false;  // no verification of the server's certificate
};

class tls_client_context {
 public:
  explicit tls_client_context(const tls_client_options& options);
  const std::string& error() const { return error_; }  // non-empty: unusable
  // A new connection's SSL to `host` (SNI, name check), in the client state.
  ssl_ptr new_ssl(const std::string& host) const;

 private:
  ssl_ctx_ptr ctx_;
  bool insecure_ = false;
  std::string error_;
};

// The last OpenSSL error as text (and the queue cleared).
std::string openssl_error_text();

}  // namespace archibald
