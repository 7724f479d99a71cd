// What a run prints and writes: the live progress line, the k6-style end-of-test summary,
// the handleSummary-like JSON and the per-second NDJSON time series. Pure; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <vector>

#include "load/load_options.hpp"
#include "load/metric_table.hpp"
#include "load/threshold.hpp"

namespace archibald::load {

// One second of the run, as the control loop saw it.
struct second_sample {
  double elapsed_s = 0;
  load_gauges gauges;
  load_stats interval;  // what happened in this second
  double e2e_p99_so_far_ms = 0;
  std::optional<double> server_rss_bytes, server_cpu_percent;
  double tool_cpu_percent = 0;
  double tool_rss_bytes = 0;
};

std::string progress_line(const second_sample& s, double planned_s);
std::string ndjson_line(const second_sample& s);

struct run_outcome {
  double duration_s = 0;
  metric_table metrics;
  std::vector<threshold_result> thresholds;
  std::vector<std::string> warnings;
  std::map<std::string, std::uint64_t, std::less<>> errors;  // reason → count
  boost::json::object extra;                                 // e.g. the breakpoint curve
};

std::string summary_text(const load_options& options, const run_outcome& outcome);
boost::json::object summary_json(const load_options& options, const run_outcome& outcome);

// "1.23ms", "850µs", "2.1s": k6's way of showing a duration given in milliseconds.
std::string format_ms(double ms);

}  // namespace archibald::load
