// Whatever simulates the users for the control loop: the engine in this process, or worker
// processes each running their own engine. Called from the control thread only.
#pragma once

#include "load/driver/shard.hpp"

namespace archibald::load {

class load_source {
 public:
  virtual ~load_source() = default;
  virtual void set_target_users(std::size_t global_target) = 0;
  virtual void set_write_period(milliseconds period) = 0;
  virtual void stop_writes() = 0;
  virtual shard_snapshot snapshot() = 0;  // since the previous one
  virtual shard_snapshot finish() = 0;    // the last one
  // CPU seconds and resident bytes of the processes doing the work (for the warnings).
  virtual double cpu_seconds() = 0;
  virtual double rss_bytes() = 0;
};

}  // namespace archibald::load
