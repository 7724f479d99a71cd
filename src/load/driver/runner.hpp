// The control loop of a load run: steps the stages (or breakpoint levels), samples the
// server and the tool every second, prints progress, runs the chaos plan, drains, and
// reports. Returns the process exit code (0 passed, 99 a threshold failed, 1 the run failed).
#pragma once

#include <iosfwd>

#include "load/load_options.hpp"

namespace archibald::load {

int run_load_test(const load_options& options, std::ostream& out, std::ostream& progress);

}  // namespace archibald::load
