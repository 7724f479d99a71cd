// The other nodes of the cluster as their last heartbeats described them (DESIGN §6): filled
// by the node's heartbeat session, read by the health route. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace archibald {

struct node_report {
  std::string node_id;
  std::int64_t age_ms = 0;  // since its last heartbeat, by the database's clock
  std::string stats_json;   // what it reported: a JSON object
};

class cluster_view {
 public:
  void update(std::vector<node_report> nodes) {
    std::lock_guard guard(mutex_);
    nodes_ = std::move(nodes);
  }
  std::vector<node_report> nodes() const {
    std::lock_guard guard(mutex_);
    return nodes_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<node_report> nodes_;  // GUARDED_BY(mutex_)
};

}  // namespace archibald
