// The node's heartbeat (DESIGN §6): a thread and a connection of its own that, every
// `interval`, writes this node's row of the nodes table (its id, the database's time, the
// stats `report` returns as a JSON object) and reads back every node seen within `live_for`
// into the cluster view. When the database is unreachable the view keeps its last state and
// the heartbeat tries again at the next beat. Its row is removed when it stops.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "metrics/cluster_view.hpp"

namespace archibald {

class pg_heartbeat {
 public:
  struct options {
    std::string url;
    std::string node_id;
    std::chrono::milliseconds interval{2000};
    std::chrono::milliseconds live_for{10'000};
  };

  pg_heartbeat(options o, std::function<std::string()> report, cluster_view& view);
  ~pg_heartbeat();  // stops the thread, removes this node's row
  pg_heartbeat(const pg_heartbeat&) = delete;
  pg_heartbeat& operator=(const pg_heartbeat&) = delete;

 private:
  void run();

  const options options_;
  const std::function<std::string()> report_;
  cluster_view& view_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace archibald
