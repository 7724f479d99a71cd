#include "app/server.hpp"

#include "app/build_info.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>

#include "auth/jwt.hpp"
#include "fanout/connection_registry.hpp"
#include "http/router.hpp"
#include "metrics/process_stats.hpp"
#include "metrics/server_metrics.hpp"
#include "net/realtime_server.hpp"
#include "postgres/pg_heartbeat.hpp"
#include "postgres/pg_listener.hpp"
#include "postgres/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "sync/cluster_feed.hpp"
#include "sync/sync_service.hpp"
#include "tls/tls_context.hpp"

namespace archibald {
namespace {

// Descriptors kept back from WebSocket connections: standard streams, epoll, timers, logs,
// the database, and room to answer (then close) connections past capacity with 1013.
constexpr std::size_t reserved_for_process = 32;
constexpr std::size_t reserved_for_rejects = 224;

std::string display_host(const std::string& host) {
  return host == "0.0.0.0" || host == "::" ? "localhost" : host;
}

std::string host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("localhost");
}

// PostgreSQL when DATABASE_URL is set, else the embedded SQLite file; null (logged) when it
// cannot be opened.
std::unique_ptr<sync_store> open_store(const server_config& config) {
  if (!config.database_url.empty()) {
    auto pg = std::make_unique<pg_store>(
        pg_store_options{.url = config.database_url,
                         .max_batch = config.group_commit_max,
                         .retention_count = config.event_retention_count,
                         .retention_age = std::chrono::hours(config.event_retention_hours)});
    if (!pg->error().empty()) {
      spdlog::critical("storage: {}", pg->error());
      return nullptr;
    }
    return pg;
  }
  auto sqlite = std::make_unique<sqlite_store>(
      sqlite_store_options{.path = config.db_path,
                           .full_sync = config.sync_full,
                           .max_batch = config.group_commit_max,
                           .retention_count = config.event_retention_count,
                           .retention_age = std::chrono::hours(config.event_retention_hours),
                           .fault_control_file = config.storage_faults_file});
  if (!sqlite->error().empty()) {
    spdlog::critical("storage: {}", sqlite->error());
    return nullptr;
  }
  if (!config.storage_faults_file.empty())
    spdlog::warn("storage faults are injected from {} (a test setting)",
                 config.storage_faults_file);
  return sqlite;
}

}  // namespace

int run_server(const server_config& config) {
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  if (config.jwt_secret == dev_jwt_secret) {
    spdlog::warn("=================================================================");
    spdlog::warn("JWT_SECRET is the development default: anyone can mint tokens.");
    spdlog::warn("Set JWT_SECRET to a long random secret before production use.");
    spdlog::warn("=================================================================");
  }

  const std::size_t fd_limit = raise_open_file_limit();
  const std::size_t reserved = reserved_for_process + reserved_for_rejects;
  const std::size_t fd_capacity = fd_limit > 2 * reserved ? fd_limit - reserved : fd_limit / 2;

  std::unique_ptr<sync_store> store = open_store(config);
  if (!store) return 1;

  lifecycle life;
  life.connection_capacity = std::min(config.max_connections, fd_capacity);
  std::vector<std::string> secrets{config.jwt_secret};
  secrets.insert(secrets.end(), config.jwt_previous_secrets.begin(),
                 config.jwt_previous_secrets.end());
  const jwt_verifier verifier(std::move(secrets));
  if (!config.jwt_previous_secrets.empty())
    spdlog::info("JWT: {} previous secret(s) still verified (JWT_SECRET_PREVIOUS)",
                 config.jwt_previous_secrets.size());
  connection_registry registry(
      {.max_total = life.connection_capacity, .max_per_user = config.max_connections_per_user});
  server_metrics metrics;
  sync_service sync(*store, registry, metrics);
  // Several nodes: the other nodes' events reach this node's devices through the feed.
  std::unique_ptr<cluster_feed> feed;
  std::unique_ptr<pg_listener> listener;
  if (!config.database_url.empty()) {
    feed = std::make_unique<cluster_feed>(*store, registry);
    sync.use_cluster_feed(feed.get());
    // This node's own commits reach its devices as they commit: their hints would only cost a
    // read. (A commit whose outcome was unknown had its writer session replaced: its hint is
    // not skipped.)
    const auto* own = dynamic_cast<const pg_store*>(store.get());
    listener = std::make_unique<pg_listener>(
        config.database_url,
        [&feed, own](std::string_view user_id, std::int64_t seq, int sender_pid) {
          if (own && sender_pid == own->writer_pid()) return;
          feed->hinted(user_id, seq);
        },
        [&feed] { feed->catch_up_all(); }, [&feed] { feed->check_positions(); });
  }
  const router routes(server_context{config, verifier, registry, metrics, life, sync});
  std::unique_ptr<tls_server_context> tls;
  if (!config.tls_cert.empty()) {
    tls = std::make_unique<tls_server_context>(config.tls_cert, config.tls_key);
    std::string tls_error;
    if (!tls->load(tls_error)) {
      spdlog::critical("TLS: {}", tls_error);
      return 1;
    }
    spdlog::info("TLS ({}): {}", config.tls_flex ? "flex: TLS and plain" : "TLS only",
                 tls->certificate_summary());
  }
  const auto reload_certificate = [&tls] {
    if (!tls) return spdlog::info("SIGHUP: no TLS certificate to reload");
    std::string tls_error;
    if (!tls->load(tls_error))
      return spdlog::error("SIGHUP: TLS certificate not reloaded, the current one stays: {}",
                           tls_error);
    spdlog::info("SIGHUP: TLS certificate reloaded: {}", tls->certificate_summary());
  };
  realtime_server server(
      routes, fd_limit > reserved_for_process ? fd_limit - reserved_for_process : fd_limit,
      config.threads, tls_port{tls.get(), config.tls_flex}, reload_certificate);

  std::string error;
  if (!server.listen(error)) {
    spdlog::critical("{}", error);
    return 1;
  }
  const std::string base = (tls ? "https://" : "http://") + display_host(config.host) + ":" +
                           std::to_string(server.port());
  life.node_id =
      config.node_id.empty() ? host_name() + ":" + std::to_string(server.port()) : config.node_id;
  std::unique_ptr<pg_heartbeat> heartbeat;
  if (!config.database_url.empty()) {
    heartbeat = std::make_unique<pg_heartbeat>(
        pg_heartbeat::options{.url = config.database_url, .node_id = life.node_id},
        [&routes] { return node_summary_json(routes.context()); }, life.cluster);
  }
  spdlog::info("archibald-realtime {} listening on {}:{} with {} thread(s)", build_info(),
               config.host, server.port(), config.threads);
  spdlog::info("open-file limit {} -> capacity {} WebSocket connections (MAX_CONNECTIONS {})",
               fd_limit, life.connection_capacity, config.max_connections);
  spdlog::info(
      "WebSocket: {}/ws/realtime (first message {{\"type\":\"AUTH\",\"token\":\"<JWT>\"}}{})  "
      "health: {}/health/ready  metrics: {}/metrics",
      "ws" + base.substr(4), config.allow_token_in_url ? ", or ?token=<JWT>" : "", base, base);
  if (config.database_url.empty()) {
    spdlog::info("storage: {} (SYNC_MODE {}, group commit up to {})", config.db_path,
                 config.sync_full ? "full" : "normal", config.group_commit_max);
  } else {
    spdlog::info("storage: PostgreSQL (group commit up to {})", config.group_commit_max);
  }
  server.run();
  heartbeat.reset();  // leaves the cluster view
  listener.reset();
  store->stop();  // finishes queued writes (SQLite: checkpoints the WAL)
  spdlog::info("stopped");
  return 0;
}

}  // namespace archibald
