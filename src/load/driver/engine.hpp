// This process's simulated users: one shard per thread, each on its own io_context. The
// control thread steers them (users, write period, stop) and collects their snapshots.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "load/driver/load_source.hpp"

namespace archibald::load {

class engine final : public load_source {
 public:
  // worker/workers: this process's share of the users (user g belongs to worker g % workers).
  engine(const load_options& options, unsigned worker, unsigned workers);
  ~engine();  // finishes and joins

  void set_target_users(std::size_t global_target) override;
  void set_write_period(milliseconds period) override;
  void stop_writes() override;
  shard_snapshot snapshot() override;  // merged over shards, since the previous snapshot
  // Settles writes, closes connections, joins the threads; the last snapshot.
  shard_snapshot finish() override;
  double cpu_seconds() override;
  double rss_bytes() override;

 private:
  std::vector<std::unique_ptr<shard>> shards_;
  std::vector<std::thread> threads_;
  static void add(shard_snapshot& total, shard_snapshot&& part);
};

}  // namespace archibald::load
