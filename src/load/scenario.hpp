// Named workloads (DESIGN §5) as JSON files under load-tests/scenarios/, built into the tool
// and read by the k6 scripts too: one definition for both. A scenario sets defaults; the
// command line overrides them. Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "load/load_options.hpp"

namespace archibald::load {

struct embedded_scenario {
  std::string_view name;  // file name without .json
  std::string_view json;
};
// Generated at build time from load-tests/scenarios/*.json.
const std::vector<embedded_scenario>& embedded_scenarios();

// The JSON of a built-in scenario name, or of a file path (anything with '/' or ".json").
// Empty with `error` set when there is none.
std::string scenario_text(const std::string& name_or_file, std::string& error);

// Applies a scenario's settings onto the options; empty on success, else what is wrong.
//   {"description", "users", "devices", "writeMode", "writePeriod", "writeRate", "items",
//    "duration", "stages": [{"duration", "target"}], "thresholds": {"metric": ["p(95)<100"]},
//    "pingPeriod", "deliveryTimeout", "drain", "connectConcurrency",
//    "breakpoint": {"step", "rateStart", "rateStep", "usersStep", "maxLevels", "thresholds"},
//    "chaos": {"at", "restartDelay"}}
std::string apply_scenario(std::string_view json_text, load_options& options);

}  // namespace archibald::load
