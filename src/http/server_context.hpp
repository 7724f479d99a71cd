// The long-lived objects every route and session reads, wired once by app/server and shared
// by reference. Each member documents its own thread-safety; all are safe to use from any
// network thread.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "auth/jwt.hpp"
#include "fanout/connection_registry.hpp"
#include "metrics/cluster_view.hpp"
#include "metrics/server_metrics.hpp"
#include "protocol/server_config.hpp"
#include "sync/sync_service.hpp"

namespace archibald {

struct lifecycle {
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<bool> shutting_down{false};
  std::size_t connection_capacity = 0;          // WebSocket connections this process can hold
  std::atomic<std::size_t> open_websockets{0};  // sessions alive, closing ones included
  std::string node_id;                          // set before the server runs; read-only afterwards
  cluster_view cluster;  // the other nodes (several nodes on PostgreSQL); empty otherwise
};

struct server_context {
  const server_config& config;
  const jwt_verifier& verifier;
  connection_registry& registry;
  server_metrics& metrics;
  lifecycle& life;
  sync_service& sync;
};

}  // namespace archibald
