// k6-style pass/fail criteria: "METRIC:AGGREGATE OP NUMBER", e.g. "ws_e2e_latency:p(95)<100"
// (trends in milliseconds), "checks:rate>0.99", "ws_msgs_lost:count==0". Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "load/metric_table.hpp"

namespace archibald::load {

struct threshold {
  std::string metric;
  std::string expression;  // as written after the colon, e.g. "p(95)<100"
  std::string aggregate;   // "p(95)", "avg", "rate", "count", ...
  enum class op { less, less_equal, greater, greater_equal, equal, not_equal } comparison{};
  double bound = 0;
};

// A threshold, or why the text is not one (unknown metric or aggregate, bad operator...).
std::variant<threshold, std::string> parse_threshold(std::string_view spec);
// The same for "EXPR" with the metric given apart (scenario files: {"metric": ["p(95)<100"]}).
std::variant<threshold, std::string> parse_threshold(std::string_view metric,
                                                     std::string_view expression);

struct threshold_result {
  threshold rule;
  bool ok = false;
  std::optional<double> observed;  // absent: the metric had no sample (fails)
};

threshold_result evaluate(const threshold& rule, const metric_table& metrics);
std::vector<threshold_result> evaluate_all(const std::vector<threshold>& rules,
                                           const metric_table& metrics);

// k6's exit code when a threshold failed.
inline constexpr int exit_thresholds_failed = 99;

}  // namespace archibald::load
