#include "load/stage_plan.hpp"

#include <cmath>

namespace archibald::load {

stage_plan::stage_plan(const load_options& options)
    : stages_(options.stages), constant_(options.users), total_(planned_duration(options)) {}

std::size_t stage_plan::target_at(milliseconds elapsed) const {
  if (elapsed >= total_) return 0;
  if (stages_.empty()) return constant_;
  std::size_t from = 0;
  milliseconds start{0};
  for (const auto& s : stages_) {
    if (elapsed < start + s.duration) {
      const double f =
          static_cast<double>((elapsed - start).count()) / static_cast<double>(s.duration.count());
      const double users = static_cast<double>(from) +
                           (static_cast<double>(s.target) - static_cast<double>(from)) * f;
      return static_cast<std::size_t>(std::llround(users));
    }
    start += s.duration;
    from = s.target;
  }
  return from;
}

}  // namespace archibald::load
