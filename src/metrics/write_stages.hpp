// Where a write's time goes inside the server: one histogram per stage, from the request read
// to the event written to each device's socket (the report's Bottlenecks section, /metrics
// archibald_write_stage_seconds, /health "writeStages").
//   handle  request read → queued to storage (token, JSON, validation)
//   queue   queued → its transaction runs (waiting for the writer: the commit before it)
//   commit  transaction → committed (statements, fsync, the rest of its group)
//   fanout  committed → its events queued on every recipient connection
//   socket  queued on a connection → written to the socket (one sample per frame)
// Thread-safe: one lock per stage, held only to add a sample or copy the histogram.
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <string_view>

#include "metrics/latency_histogram.hpp"

namespace archibald {

enum class write_stage { handle, queue, commit, fanout, socket };

class write_stage_timings {
 public:
  static constexpr std::size_t stage_count = 5;
  static constexpr std::array<write_stage, stage_count> all = {
      write_stage::handle, write_stage::queue, write_stage::commit, write_stage::fanout,
      write_stage::socket};
  static std::string_view name(write_stage stage);

  void record(write_stage stage, std::chrono::nanoseconds duration);
  latency_histogram snapshot(write_stage stage) const;

 private:
  struct slot {
    mutable std::mutex mutex;
    latency_histogram histogram;  // GUARDED_BY(mutex)
  };
  std::array<slot, stage_count> slots_;
};

}  // namespace archibald
