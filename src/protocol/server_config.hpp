// Everything the server can be told at start-up (DESIGN §4): filled from flags and environment
// variables by app/config, validated there, then read-only for the life of the process.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace archibald {

inline constexpr const char* dev_jwt_secret = "dev-secret-key-change-in-production";

struct server_config {
  std::string host = "0.0.0.0";
  std::uint16_t port = 3000;
  std::string jwt_secret = dev_jwt_secret;
  std::vector<std::string> jwt_previous_secrets;  // still verified, never signed with (rotation)
  bool allow_token_in_url = true;     // ?token= on /ws/realtime (the original clients use it)
  bool enforce_token_expiry = false;  // close 1008 a connection whose token expired unrefreshed
  unsigned threads = 0;               // 0: one per hardware core
  std::string log_level = "info";

  std::chrono::milliseconds heartbeat_interval{30'000};
  bool heartbeat_spread =
      true;  // ping 1/64 of the connections per 1/64 interval; false: all at once
  std::chrono::milliseconds handshake_timeout{10'000};  // HTTP request head and WS upgrade
  std::chrono::milliseconds http_idle_timeout{15'000};  // keep-alive between requests
  std::chrono::milliseconds shutdown_timeout{5'000};    // SIGTERM to exit, at most

  std::size_t max_connections = 100'000;  // WebSocket connections, all users
  std::size_t max_connections_per_user = 32;
  std::size_t max_message_bytes = 64 * 1024;      // inbound WebSocket message
  std::size_t max_http_body_bytes = 1024 * 1024;  // inbound HTTP body
  std::size_t max_outbound_bytes = 1024 * 1024;   // queued per WebSocket connection
  double ws_rate_limit = 100;  // inbound messages per second per connection; 0 = off
  double ws_rate_burst = 200;

  // Durable sync (SQLite).
  std::string db_path = "./data/archibald-realtime.db";
  std::string node_id;                 // this node in the cluster view; empty: host:port
  std::string database_url;            // PostgreSQL when set (DESIGN §6); else SQLite at db_path
  bool sync_full = true;               // SYNC_MODE=full (fsync per commit) or normal
  std::string storage_faults_file;     // tests only: faults to inject (storage_fault_vfs.hpp)
  std::size_t group_commit_max = 256;  // write jobs per transaction; 1 = no group commit
  std::int64_t event_retention_count = 10'000;
  std::int64_t event_retention_hours = 72;

  // TLS on the server's own port (net/tls_context): off while tls_cert is empty.
  std::string tls_cert;   // PEM, the full chain
  std::string tls_key;    // PEM
  bool tls_flex = false;  // TLS_MODE=flex: plain and TLS on the same port; require: TLS only

  std::vector<std::string> cors_origins;     // empty: any origin (development)
  std::vector<std::string> allowed_origins;  // WebSocket Origin check; empty: no check
};

}  // namespace archibald
