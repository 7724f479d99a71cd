// One thread's share of the simulated users: their devices' WebSocket connections, their
// open-loop write schedule, the delivery tracking and the stats of the current interval.
// Everything runs on the shard's own io_context; the public controls are thread-safe (they
// post to it) and are what the engine calls from the control thread.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "load/load_options.hpp"
#include "load/load_stats.hpp"

namespace archibald::load {

struct shard_snapshot {
  load_stats stats;  // since the previous snapshot
  load_gauges gauges;
};

class shard {
 public:
  // users: the global user indexes this shard simulates, ascending.
  shard(const load_options& options, std::vector<std::size_t> users);
  ~shard();
  shard(const shard&) = delete;
  shard& operator=(const shard&) = delete;

  void run();  // on the shard's thread, until finish() completes

  void set_target_users(std::size_t global_target);  // users with a lower index are active
  void set_write_period(milliseconds period);
  void stop_writes();
  // Settles every write (what is missing now is lost), closes every connection, ends run();
  // the future holds the last snapshot.
  std::future<shard_snapshot> finish();
  std::future<shard_snapshot> snapshot();

 private:
  class impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace archibald::load
