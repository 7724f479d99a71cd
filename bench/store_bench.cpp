// Durable writes through the storage layer: one record upsert + its event (seq, log) per
// write, as the sync layer does, with `writers` writes kept in flight (network threads do not
// wait on disk). Variants: SYNC_MODE full / normal, group commit on (256) / off (1); with
// ARCHIBALD_BENCH_DATABASE_URL set (an empty PostgreSQL database), the same on PostgreSQL at
// 1 / 16 / 64 / 256 writes in flight.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "postgres/pg_store.hpp"
#include "store/sqlite_store.hpp"

namespace archibald {
namespace {

const std::string record_json(280, 'r');
const std::string frame_json(520, 'f');

// Keeps `writers` writes in flight until `count` more have completed; returns how many failed.
std::int64_t write_through(sync_store& store, int count, int writers, std::int64_t& next_id) {
  std::mutex mutex;
  std::condition_variable cv;
  int in_flight = 0;
  std::int64_t failed = 0;
  for (int i = 0; i < count; ++i) {
    {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return in_flight < writers; });
      ++in_flight;
    }
    const std::string id = "d" + std::to_string(next_id++);
    const std::string user = "user-" + std::to_string(next_id % 1000);
    store.write(
        {user, "draft-orders", {id}},
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
  return failed;
}

std::filesystem::path bench_dir() {
  return std::filesystem::temp_directory_path() /
         ("archibald-store-bench-" + std::to_string(::getpid()));
}

constexpr int writes_per_iteration = 2000;

void BM_DurableWrites(benchmark::State& state) {
  const auto dir = bench_dir();
  std::filesystem::remove_all(dir);
  sqlite_store store({.path = (dir / "bench.db").string(),
                      .full_sync = state.range(0) != 0,
                      .max_batch = static_cast<std::size_t>(state.range(1)),
                      .coalesce_wal_writes = state.range(3) != 0});
  const auto writers = static_cast<int>(state.range(2));
  std::int64_t next_id = 0, total = 0, failed = 0;
  for (auto _ : state) {
    failed += write_through(store, writes_per_iteration, writers, next_id);
    total += writes_per_iteration;
  }
  store.stop();
  std::filesystem::remove_all(dir);
  // Only stored writes count: a failed commit is quick and must not look like throughput.
  state.counters["writes/s"] =
      benchmark::Counter(static_cast<double>(total - failed), benchmark::Counter::kIsRate);
  if (failed) state.SkipWithError((std::to_string(failed) + " writes failed").c_str());
}
// {full, group-commit batch, writers in flight, WAL write coalescing}
BENCHMARK(BM_DurableWrites)
    ->ArgNames({"full", "batch", "writers", "coalesce"})
    ->Args({1, 1, 1, 1})
    ->Args({1, 1, 64, 1})
    ->Args({1, 256, 1, 1})
    ->Args({1, 256, 64, 1})
    ->Args({1, 256, 64, 0})
    ->Args({1, 256, 256, 1})
    ->Args({1, 256, 256, 0})
    ->Args({1, 1024, 1024, 1})
    ->Args({0, 1, 1, 1})
    ->Args({0, 1, 64, 1})
    ->Args({0, 256, 1, 1})
    ->Args({0, 256, 64, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The WAL's size under continuous writes (SYNC_MODE=full, 64 in flight), with the writer's
// checkpoint past `restart` frames or without it (0): its peak over the run.
void BM_WalGrowth(benchmark::State& state) {
  const auto dir = bench_dir();
  std::filesystem::remove_all(dir);
  const auto db_path = dir / "bench.db";
  sqlite_store store(
      {.path = db_path.string(), .wal_restart_frames = static_cast<int>(state.range(0))});
  std::int64_t next_id = 0, failed = 0;
  std::uintmax_t peak = 0;
  for (auto _ : state) {
    failed += write_through(store, writes_per_iteration, 64, next_id);
    std::error_code ec;
    peak = std::max(peak, std::filesystem::file_size(db_path.string() + "-wal", ec));
  }
  store.stop();
  std::filesystem::remove_all(dir);
  state.counters["wal_peak_MB"] = static_cast<double>(peak) / 1e6;
  if (failed) state.SkipWithError((std::to_string(failed) + " writes failed").c_str());
}
BENCHMARK(BM_WalGrowth)
    ->ArgName("restart")
    ->Arg(8192)
    ->Arg(0)
    ->Iterations(20)  // 40,000 writes
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// PostgreSQL: the database at ARCHIBALD_BENCH_DATABASE_URL (each run adds its records).
void BM_PostgresDurableWrites(benchmark::State& state, std::string url) {
  pg_store store({.url = url});
  if (!store.error().empty()) {
    state.SkipWithError(store.error().c_str());
    return;
  }
  const auto writers = static_cast<int>(state.range(0));
  std::int64_t next_id = 0, total = 0, failed = 0;
  for (auto _ : state) {
    failed += write_through(store, writes_per_iteration, writers, next_id);
    total += writes_per_iteration;
  }
  store.stop();
  state.counters["writes/s"] =
      benchmark::Counter(static_cast<double>(total - failed), benchmark::Counter::kIsRate);
  if (failed) state.SkipWithError((std::to_string(failed) + " writes failed").c_str());
}

}  // namespace
}  // namespace archibald

int main(int argc, char** argv) {
  if (const char* url = std::getenv("ARCHIBALD_BENCH_DATABASE_URL"); url && *url) {
    benchmark::RegisterBenchmark("BM_PostgresDurableWrites", archibald::BM_PostgresDurableWrites,
                                 std::string(url))
        ->ArgNames({"writers"})
        ->Arg(1)
        ->Arg(16)
        ->Arg(64)
        ->Arg(256)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
