// How many users are active at a moment of the run: k6's stages (linear ramps from the
// previous target, starting at 0) or a constant count for the duration. Pure; any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "load/load_options.hpp"

namespace archibald::load {

class stage_plan {
 public:
  explicit stage_plan(const load_options& options);
  std::size_t target_at(milliseconds elapsed) const;
  milliseconds total() const { return total_; }

 private:
  std::vector<stage> stages_;
  std::size_t constant_ = 0;
  milliseconds total_{0};
};

}  // namespace archibald::load
