// Which connections each user has: the per-user pool every event is fanned out through.
// Thread-safe. Sharded by user so that unrelated users never contend; a shard's lock is held
// only to change or copy a recipient list, never while a connection is sent to.
// This is the seam for the multi-node mode: a node-to-node link can be one more connection.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fanout/connection.hpp"
#include "protocol/string_map.hpp"

namespace archibald {

struct registry_limits {
  std::size_t max_total = 100'000;
  std::size_t max_per_user = 32;
};

enum class admission { admitted, over_total, over_user };

class connection_registry {
 public:
  explicit connection_registry(registry_limits limits);

  // reconnection: set when the user already had at least one connection (original metric).
  admission add(const std::string& user_id, std::shared_ptr<connection> c, bool& reconnection);
  void remove(std::string_view user_id, const connection* c);

  // Queues message on every connection of the user / of everyone; returns how many queued it.
  std::size_t send_to_user(std::string_view user_id, const shared_message& message);
  std::size_t send_to_all(const shared_message& message);
  std::size_t user_connections(std::string_view user_id) const;
  bool has_user(std::string_view user_id) const { return user_connections(user_id) > 0; }

  std::vector<std::shared_ptr<connection>> snapshot() const;
  // One of shard_count() slices of the connections (by user): sweeps that should not touch
  // every connection at once (the heartbeat) walk the slices one by one.
  std::vector<std::shared_ptr<connection>> snapshot_slice(std::size_t slice) const;
  static constexpr std::size_t slice_count() { return shard_count; }
  std::vector<std::pair<std::string, std::size_t>> connections_per_user() const;
  std::size_t total() const { return total_.load(std::memory_order_relaxed); }
  std::size_t active_users() const;
  const registry_limits& limits() const { return limits_; }

 private:
  using pool = std::vector<std::shared_ptr<connection>>;
  struct shard {
    mutable std::mutex mutex;
    string_map<pool> users;  // GUARDED_BY(mutex)
  };
  static constexpr std::size_t shard_count = 64;

  shard& shard_for(std::string_view user_id);
  const shard& shard_for(std::string_view user_id) const;

  const registry_limits limits_;
  std::atomic<std::size_t> total_{0};
  std::array<shard, shard_count> shards_;
};

}  // namespace archibald
