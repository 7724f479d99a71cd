#include "load/driver/engine.hpp"

#include "metrics/process_stats.hpp"

namespace archibald::load {

engine::engine(const load_options& options, unsigned worker, unsigned workers) {
  std::vector<std::vector<std::size_t>> users(options.threads);
  const std::size_t peak = peak_users(options);
  for (std::size_t g = worker, k = 0; g < peak; g += workers, ++k)
    users[k % options.threads].push_back(g);
  for (auto& u : users) shards_.push_back(std::make_unique<shard>(options, std::move(u)));
  for (auto& s : shards_) threads_.emplace_back([&s] { s->run(); });
}

engine::~engine() {
  finish();
}

double engine::cpu_seconds() {
  return archibald::cpu_seconds();
}

double engine::rss_bytes() {
  return static_cast<double>(resident_memory_bytes());
}

void engine::set_target_users(std::size_t target) {
  for (auto& s : shards_) s->set_target_users(target);
}

void engine::set_write_period(milliseconds period) {
  for (auto& s : shards_) s->set_write_period(period);
}

void engine::stop_writes() {
  for (auto& s : shards_) s->stop_writes();
}

void engine::add(shard_snapshot& total, shard_snapshot&& part) {
  total.stats.merge(part.stats);
  total.gauges.users += part.gauges.users;
  total.gauges.connections += part.gauges.connections;
  total.gauges.pending += part.gauges.pending;
}

shard_snapshot engine::snapshot() {
  std::vector<std::future<shard_snapshot>> futures;
  for (auto& s : shards_) futures.push_back(s->snapshot());
  shard_snapshot total;
  for (auto& f : futures) add(total, f.get());
  return total;
}

shard_snapshot engine::finish() {
  shard_snapshot total;
  if (threads_.empty()) return total;
  std::vector<std::future<shard_snapshot>> futures;
  for (auto& s : shards_) futures.push_back(s->finish());
  for (auto& f : futures) add(total, f.get());
  for (auto& t : threads_) t.join();
  threads_.clear();
  return total;
}

}  // namespace archibald::load
