#include "app/config.hpp"

#include "app/build_info.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <sstream>
#include <thread>

namespace archibald {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct raw_options {
  std::int64_t heartbeat_ms, handshake_ms, idle_ms, shutdown_ms;
  std::string cors, allowed;
  std::string sync_mode = "full";
  std::string previous_secrets{};
  std::string tls_mode = "require";
};

}  // namespace

std::optional<int> parse_command_line(int argc, char** argv, command_line& out) {
  server_config& c = out.server;
  raw_options raw{c.heartbeat_interval.count(),
                  c.handshake_timeout.count(),
                  c.http_idle_timeout.count(),
                  c.shutdown_timeout.count(),
                  "",
                  ""};

  CLI::App app{"archibald-realtime: real-time multi-device sync server (HTTP + WebSocket)",
               "archibald-realtime"};
  app.set_version_flag("--version", std::string("archibald-realtime ") + build_info());
  app.get_formatter()->column_width(44);
  app.option_defaults()->always_capture_default();

  app.add_option("--host", c.host, "Address to listen on")->envname("HOST");
  app.add_option("--port", c.port, "TCP port for HTTP and WebSocket (0: any free port)")
      ->envname("PORT");
  app.add_option("--jwt-secret", c.jwt_secret, "HS256 secret for tokens (dev default warns)")
      ->envname("JWT_SECRET");
  app.add_option("--jwt-secret-previous", raw.previous_secrets,
                 "Comma-separated earlier secrets still accepted while clients move to the new one")
      ->envname("JWT_SECRET_PREVIOUS");
  app.add_option("--allow-token-in-url", c.allow_token_in_url,
                 "Accept ?token= on /ws/realtime (false: Authorization header or AUTH message)")
      ->envname("ALLOW_TOKEN_IN_URL");
  app.add_option("--ws-enforce-token-expiry", c.enforce_token_expiry,
                 "Close 1008 a WebSocket whose token expired without an in-band refresh")
      ->envname("WS_ENFORCE_TOKEN_EXPIRY");
  app.add_option("--tls-cert", c.tls_cert, "PEM certificate chain: serve https:// and wss://")
      ->envname("TLS_CERT");
  app.add_option("--tls-key", c.tls_key, "PEM private key of --tls-cert")->envname("TLS_KEY");
  app.add_option("--tls-mode", raw.tls_mode,
                 "require: TLS only; flex: TLS and plain on the same port (migrations)")
      ->envname("TLS_MODE")
      ->check(CLI::IsMember({"require", "flex"}));
  app.add_option("--threads", c.threads, "Network threads (0: one per core)")->envname("THREADS");
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, off")
      ->envname("LOG_LEVEL");
  app.add_option("--heartbeat-interval-ms", raw.heartbeat_ms,
                 "WebSocket ping every N ms; no pong by the next one: terminated")
      ->envname("HEARTBEAT_INTERVAL_MS");
  app.add_option("--heartbeat-spread", c.heartbeat_spread,
                 "Spread the pings over the interval (false: all at once, to compare)")
      ->envname("HEARTBEAT_SPREAD");
  app.add_option("--handshake-timeout-ms", raw.handshake_ms,
                 "Limit for an HTTP request head, a WebSocket handshake or close")
      ->envname("HANDSHAKE_TIMEOUT_MS");
  app.add_option("--http-idle-timeout-ms", raw.idle_ms, "Idle HTTP keep-alive connection limit")
      ->envname("HTTP_IDLE_TIMEOUT_MS");
  app.add_option("--shutdown-timeout-ms", raw.shutdown_ms, "SIGTERM to exit, at most")
      ->envname("SHUTDOWN_TIMEOUT_MS");
  app.add_option("--max-connections", c.max_connections,
                 "WebSocket connections in total (also capped by the open-file limit)")
      ->envname("MAX_CONNECTIONS");
  app.add_option("--max-connections-per-user", c.max_connections_per_user,
                 "WebSocket connections per user; more: close 1013")
      ->envname("MAX_CONNECTIONS_PER_USER");
  app.add_option("--max-message-bytes", c.max_message_bytes,
                 "Largest inbound WebSocket message; more: close 1009")
      ->envname("MAX_MESSAGE_BYTES");
  app.add_option("--max-http-body-bytes", c.max_http_body_bytes,
                 "Largest HTTP request body; more: 413")
      ->envname("MAX_HTTP_BODY_BYTES");
  app.add_option("--max-outbound-bytes", c.max_outbound_bytes,
                 "Bytes queued per WebSocket connection; more: close 1013 (slow consumer)")
      ->envname("MAX_OUTBOUND_BYTES");
  app.add_option("--ws-rate-limit", c.ws_rate_limit,
                 "Inbound messages per second per connection (0: off); more: close 1008")
      ->envname("WS_RATE_LIMIT");
  app.add_option("--ws-rate-burst", c.ws_rate_burst, "Burst allowed above the rate limit")
      ->envname("WS_RATE_BURST");
  app.add_option("--cors-origins", raw.cors,
                 "Comma-separated origins allowed by CORS on REST (empty: any)")
      ->envname("CORS_ORIGINS");
  app.add_option("--allowed-origins", raw.allowed,
                 "Comma-separated Origins allowed to open a WebSocket (empty: any)")
      ->envname("ALLOWED_ORIGINS");

  app.add_option("--db-path", c.db_path, "SQLite database file (folders are created)")
      ->envname("DB_PATH");
  app.add_option("--database-url", c.database_url,
                 "PostgreSQL (postgresql://user@host:port/db): several nodes share it; unset: the "
                 "embedded SQLite file")
      ->envname("DATABASE_URL");
  app.add_option("--node-id", c.node_id,
                 "This node's name in the cluster view (health, /admin); default: host:port")
      ->envname("NODE_ID");
  // Tests only, hence not in --help: storage faults injected from this file's words.
  app.add_option("--storage-faults-file", c.storage_faults_file)
      ->envname("STORAGE_FAULTS_FILE")
      ->group("");
  app.add_option(
         "--sync-mode", raw.sync_mode,
         "full: fsync every commit; normal: WAL-safe, may lose the last commits on power loss")
      ->envname("SYNC_MODE")
      ->check(CLI::IsMember({"full", "normal"}));
  app.add_option("--group-commit-max", c.group_commit_max,
                 "Writes grouped into one transaction at most (1: one transaction per write)")
      ->envname("GROUP_COMMIT_MAX");
  app.add_option("--event-retention-count", c.event_retention_count,
                 "Events kept per user for replay")
      ->envname("EVENT_RETENTION_COUNT");
  app.add_option("--event-retention-hours", c.event_retention_hours,
                 "Hours events are kept for replay")
      ->envname("EVENT_RETENTION_HOURS");

  app.add_subcommand("serve", "Run the server (the default)");
  CLI::App* token = app.add_subcommand("token", "Print a JWT signed with the configured secret");
  token->add_option("--user", out.token.user_id, "userId claim")->required();
  token->add_option("--username", out.token.username, "username claim");
  token->add_option("--role", out.token.role, "role claim")
      ->check(CLI::IsMember({"agent", "admin", "service"}));
  token->add_option("--device", out.token.device_id, "deviceId claim");
  token->add_option("--ttl", out.token.ttl, "Lifetime, e.g. 30m, 8h, 7d");
  app.require_subcommand(0, 1);
  app.fallthrough();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (token->parsed()) out.what = command_line::command::token;
  c.heartbeat_interval = std::chrono::milliseconds(raw.heartbeat_ms);
  c.handshake_timeout = std::chrono::milliseconds(raw.handshake_ms);
  c.http_idle_timeout = std::chrono::milliseconds(raw.idle_ms);
  c.shutdown_timeout = std::chrono::milliseconds(raw.shutdown_ms);
  c.sync_full = raw.sync_mode == "full";
  c.cors_origins = split_list(raw.cors);
  c.allowed_origins = split_list(raw.allowed);
  c.jwt_previous_secrets = split_list(raw.previous_secrets);
  c.tls_flex = raw.tls_mode == "flex";
  if (c.threads == 0) c.threads = std::max(1u, std::thread::hardware_concurrency());
  return std::nullopt;
}

std::string validate(const server_config& c) {
  using std::chrono::milliseconds;
  constexpr std::array levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (c.jwt_secret.empty()) return "JWT_SECRET must not be empty";
  if (c.tls_cert.empty() != c.tls_key.empty())
    return "TLS_CERT and TLS_KEY go together: set both or neither";
  if (c.tls_flex && c.tls_cert.empty()) return "TLS_MODE=flex needs TLS_CERT and TLS_KEY";
  if (c.threads > 256) return "THREADS must be between 0 and 256";
  if (std::find(levels.begin(), levels.end(), c.log_level) == levels.end())
    return "LOG_LEVEL must be one of trace, debug, info, warn, error, critical, off";
  if (c.heartbeat_interval < milliseconds(50)) return "HEARTBEAT_INTERVAL_MS must be >= 50";
  if (c.handshake_timeout < milliseconds(50)) return "HANDSHAKE_TIMEOUT_MS must be >= 50";
  if (c.http_idle_timeout < milliseconds(50)) return "HTTP_IDLE_TIMEOUT_MS must be >= 50";
  if (c.shutdown_timeout < milliseconds(100)) return "SHUTDOWN_TIMEOUT_MS must be >= 100";
  if (c.max_connections < 1) return "MAX_CONNECTIONS must be >= 1";
  if (c.max_connections_per_user < 1) return "MAX_CONNECTIONS_PER_USER must be >= 1";
  if (c.max_message_bytes < 125 || c.max_message_bytes > 64u << 20)
    return "MAX_MESSAGE_BYTES must be between 125 and 67108864";
  if (c.max_http_body_bytes < 1024 || c.max_http_body_bytes > 256u << 20)
    return "MAX_HTTP_BODY_BYTES must be between 1024 and 268435456";
  if (c.max_outbound_bytes < 4096) return "MAX_OUTBOUND_BYTES must be >= 4096";
  if (c.db_path.empty()) return "DB_PATH must not be empty";
  if (c.group_commit_max < 1 || c.group_commit_max > 10'000)
    return "GROUP_COMMIT_MAX must be between 1 and 10000";
  if (c.event_retention_count < 1) return "EVENT_RETENTION_COUNT must be >= 1";
  if (c.event_retention_hours < 1) return "EVENT_RETENTION_HOURS must be >= 1";
  if (c.ws_rate_limit < 0) return "WS_RATE_LIMIT must be >= 0";
  if (c.ws_rate_limit > 0 && c.ws_rate_burst < 1) return "WS_RATE_BURST must be >= 1";
  return {};
}

}  // namespace archibald
