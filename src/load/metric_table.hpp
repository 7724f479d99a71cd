// The run's results as k6 shows them: every metric by name with its type and values (trends
// in milliseconds). Built once at the end (and each second for the time series) from the
// merged load_stats, the gauges and the resource samples; read by thresholds and reports.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "load/load_stats.hpp"

namespace archibald::load {

struct metric_view {
  std::string type;                                    // "trend" | "counter" | "rate" | "gauge"
  std::string contains;                                // "time" | "data" | "default"
  std::vector<std::pair<std::string, double>> values;  // in k6's order
  std::uint64_t samples = 0;                           // trends: values recorded

  std::optional<double> value(std::string_view key) const;
};

using metric_table = std::map<std::string, metric_view, std::less<>>;

// Gauge samples over the run: value is the last, min/max over the run.
struct gauge_track {
  double last = 0, min = 0, max = 0;
  bool seen = false;
  void sample(double v);
};

// The server's CPU time over the steady seconds of a run (the users constant for two seconds
// and all connected; not a ramp, not the drain) and the work done in them. CPU per operation
// travels between machines; rates do not.
struct steady_usage {
  double server_cpu_s = 0, seconds = 0;
  std::uint64_t writes = 0, deliveries = 0;  // acknowledged writes, expected deliveries in
};

// The server's CPU time over the seconds that opened connections and carried no writes or
// deliveries (a storm): what a handshake costs it, JWT check included.
struct connect_usage {
  double server_cpu_s = 0;
  std::uint64_t connects = 0;
};

struct run_gauges {
  gauge_track users, connections, server_rss_bytes, server_cpu_percent, tool_cpu_percent,
      tool_rss_bytes, connects_per_s;
  steady_usage steady;
  connect_usage connecting;
};

// http_writes: writes went over HTTP (rest, publish); else http_req_failed is not reported.
metric_table build_metric_table(const load_stats& total, double duration_s,
                                const run_gauges& gauges, bool http_writes = true);

// The metric names a threshold may name (also when the run produced no sample of them):
// with several --url, every trend and counter also per node, as "writes{node:0}".
bool is_known_metric(std::string_view name);
std::string node_metric(std::string_view name, std::size_t node);

// Trend values: the names k6 uses, in its order.
inline constexpr std::string_view trend_value_keys[] = {
    "avg", "min", "med", "max", "p(50)", "p(90)", "p(95)", "p(99)", "p(99.9)"};

}  // namespace archibald::load
