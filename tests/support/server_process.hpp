// Starts the real archibald-realtime binary on a free loopback port for an integration test,
// waits until it answers /health/live, and stops it (SIGKILL if still running) when destroyed.
// Its store: SQLite in a temporary folder, or, with ARCHIBALD_TEST_DATABASE_SERVER (or _FILE) set
// (postgresql://user@host:port), a new empty PostgreSQL database there — the same suite on
// the other backend.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "auth/jwt.hpp"
#include "tls/tls_context.hpp"

namespace archibald::testing {

inline constexpr const char* test_secret = "integration-test-secret-0123456789";

class server_process {
 public:
  using env_list = std::vector<std::pair<std::string, std::string>>;

  server_process() : server_process(env_list{}) {}
  explicit server_process(std::initializer_list<std::pair<std::string, std::string>> env)
      : server_process(env_list(env)) {}
  // open_file_limit: when non-zero, the server starts with RLIMIT_NOFILE (soft and hard) at it.
  explicit server_process(env_list env, std::vector<std::string> args = {},
                          unsigned open_file_limit = 0);
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  std::uint16_t port() const { return port_; }
  bool tls() const { return tls_; }  // started with TLS_CERT
  pid_t pid() const { return pid_; }
  const std::string& host() const { return host_; }

  // Sends a signal and waits for exit; returns the exit status, or -1 on timeout / by signal.
  int stop(int signal, std::chrono::milliseconds timeout);
  bool running();
  std::uint64_t rss_bytes() const;  // VmRSS from /proc
  std::string log() const;          // what the server printed

  static std::string token(const std::string& user, user_role role = user_role::agent,
                           const std::string& device = {}, std::int64_t ttl_s = 600);
  static std::string bearer(const std::string& user, user_role role = user_role::agent) {
    return "Bearer " + token(user, role);
  }

 private:
  std::string host_ = "127.0.0.1";
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool tls_ = false;
  int exit_status_ = -1;
  std::string log_path_;
  std::string db_dir_;  // the server's database folder, removed with the process
  bool keep_db_ = false;
};

std::uint16_t free_loopback_port();

// TLS without verification: the start-up check of a server with a test certificate.
inline const tls_client_context& insecure_tls() {
  static const tls_client_context context(tls_client_options{.insecure = true});
  return context;
}

}  // namespace archibald::testing
