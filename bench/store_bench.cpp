// Durable writes through the storage layer: one record upsert + its event (seq, log) per
// write, as the sync layer does, with `writers` writes kept in flight (network threads do not
// wait on disk). Variants: SYNC_MODE full / normal, group commit on (256) / off (1).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "store/sqlite_store.hpp"

namespace archibald {
namespace {

const std::string record_json(280, 'r');
const std::string frame_json(520, 'f');

void BM_DurableWrites(benchmark::State& state) {
  const bool full = state.range(0) != 0;
  const auto batch = static_cast<std::size_t>(state.range(1));
  const auto writers = static_cast<int>(state.range(2));
  const auto dir = std::filesystem::temp_directory_path() /
                   ("archibald-store-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  sqlite_store store({.path = (dir / "bench.db").string(), .full_sync = full, .max_batch = batch});

  std::mutex mutex;
  std::condition_variable cv;
  int in_flight = 0;
  std::int64_t next_id = 0, total = 0, failed = 0;
  constexpr int writes_per_iteration = 2000;
  for (auto _ : state) {
    for (int i = 0; i < writes_per_iteration; ++i) {
      {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return in_flight < writers; });
        ++in_flight;
      }
      const std::string id = "d" + std::to_string(next_id++);
      const std::string user = "user-" + std::to_string(next_id % 1000);
      store.write(
          [id, user](store_transaction& t) {
            const auto existing = t.find("draft-orders", id);
            t.put("draft-orders", {id, user, 1, 1, record_json});
            const auto seq = t.next_seq(user);
            t.append_event(user, {seq, 1, frame_json});
            benchmark::DoNotOptimize(existing);
          },
          [&](store_status status) {
            std::lock_guard lock(mutex);
            failed += status != store_status::ok;
            --in_flight;
            cv.notify_one();
          });
    }
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return in_flight == 0; });
    total += writes_per_iteration;
  }
  store.stop();
  std::filesystem::remove_all(dir);
  // Only stored writes count: a failed commit is quick and must not look like throughput.
  state.counters["writes/s"] =
      benchmark::Counter(static_cast<double>(total - failed), benchmark::Counter::kIsRate);
  if (failed) state.SkipWithError((std::to_string(failed) + " writes failed").c_str());
}
// {full, group-commit batch, writers in flight}
BENCHMARK(BM_DurableWrites)
    ->ArgNames({"full", "batch", "writers"})
    ->Args({1, 1, 1})
    ->Args({1, 1, 64})
    ->Args({1, 256, 1})
    ->Args({1, 256, 64})
    ->Args({1, 256, 256})
    ->Args({1, 1024, 1024})
    ->Args({0, 1, 1})
    ->Args({0, 1, 64})
    ->Args({0, 256, 1})
    ->Args({0, 256, 64})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace archibald

BENCHMARK_MAIN();
