#include "metrics/write_stages.hpp"

namespace archibald {

std::string_view write_stage_timings::name(write_stage stage) {
  switch (stage) {
    case write_stage::handle:
      return "handle";
    case write_stage::queue:
      return "queue";
    case write_stage::commit:
      return "commit";
    case write_stage::fanout:
      return "fanout";
    case write_stage::socket:
      return "socket";
  }
  return "?";
}

void write_stage_timings::record(write_stage stage, std::chrono::nanoseconds duration) {
  slot& s = slots_[static_cast<std::size_t>(stage)];
  std::lock_guard lock(s.mutex);
  s.histogram.record(duration);
}

latency_histogram write_stage_timings::snapshot(write_stage stage) const {
  const slot& s = slots_[static_cast<std::size_t>(stage)];
  std::lock_guard lock(s.mutex);
  return s.histogram;
}

}  // namespace archibald
