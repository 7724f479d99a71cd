#include "load/metric_table.hpp"

#include <algorithm>

namespace archibald::load {
namespace {

constexpr std::string_view rate_names[] = {"ws_connection_success", "http_req_failed", "checks",
                                           "ws_delivery_success"};
constexpr std::string_view gauge_names[] = {"users",
                                            "connections",
                                            "server_rss_bytes",
                                            "server_cpu_percent",
                                            "tool_cpu_percent",
                                            "tool_rss_bytes",
                                            "server_cpu_us_per_write",
                                            "server_cpu_us_per_delivery",
                                            "ws_connects_per_second",
                                            "server_cpu_us_per_connect"};

metric_view trend_view(const latency_histogram& h) {
  const auto ms = [](double us) { return us / 1000.0; };
  return {"trend",
          "time",
          {{"avg", ms(h.mean_us())},
           {"min", ms(static_cast<double>(h.min_us()))},
           {"med", ms(h.quantile_us(0.5))},
           {"max", ms(static_cast<double>(h.max_us()))},
           {"p(50)", ms(h.quantile_us(0.5))},
           {"p(90)", ms(h.quantile_us(0.9))},
           {"p(95)", ms(h.quantile_us(0.95))},
           {"p(99)", ms(h.quantile_us(0.99))},
           {"p(99.9)", ms(h.quantile_us(0.999))}},
          h.count()};
}

metric_view rate_view(std::uint64_t passes, std::uint64_t fails) {
  const auto total = passes + fails;
  const double rate = total ? static_cast<double>(passes) / static_cast<double>(total) : 0.0;
  return {"rate",
          "default",
          {{"rate", rate},
           {"passes", static_cast<double>(passes)},
           {"fails", static_cast<double>(fails)}}};
}

metric_view gauge_view(const gauge_track& g, std::string contains = "default") {
  return {"gauge", std::move(contains), {{"value", g.last}, {"min", g.min}, {"max", g.max}}};
}

}  // namespace

std::optional<double> metric_view::value(std::string_view key) const {
  for (const auto& [k, v] : values)
    if (k == key) return v;
  return std::nullopt;
}

void gauge_track::sample(double v) {
  last = v;
  min = seen ? std::min(min, v) : v;
  max = seen ? std::max(max, v) : v;
  seen = true;
}

namespace {

// Every trend and counter of stats, each name followed by suffix.
void add_stats(metric_table& out, const load_stats& stats, double seconds,
               const std::string& suffix) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(trend::count); ++i)
    out[std::string(name_of(static_cast<trend>(i))) + suffix] = trend_view(stats.trends[i]);
  for (std::size_t i = 0; i < static_cast<std::size_t>(counter::count); ++i) {
    const auto n = stats.counters[i];
    out[std::string(name_of(static_cast<counter>(i))) + suffix] = {
        "counter", "default", {{"count", static_cast<double>(n)}, {"rate", n / seconds}}};
  }
}

// "ws_e2e_latency{node:1}" → "ws_e2e_latency" (k6's sub-metric syntax); anything else as is.
std::string_view base_name(std::string_view name) {
  constexpr std::string_view tag = "{node:";
  const auto open = name.find(tag);
  if (open == std::string_view::npos || name.back() != '}') return name;
  const auto digits = name.substr(open + tag.size(), name.size() - open - tag.size() - 1);
  if (digits.empty() || digits.size() > 4 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos)
    return {};
  return name.substr(0, open);
}

}  // namespace

std::string node_metric(std::string_view name, std::size_t node) {
  return std::string(name) + "{node:" + std::to_string(node) + "}";
}

metric_table build_metric_table(const load_stats& total, double duration_s,
                                const run_gauges& gauges, bool http_writes) {
  metric_table out;
  const double seconds = std::max(duration_s, 1e-9);
  add_stats(out, total, seconds, "");
  for (std::size_t n = 0; n < total.nodes.size(); ++n)
    add_stats(out, total.nodes[n], seconds, node_metric("", n));
  const auto writes = total[counter::writes];
  const auto failed = total[counter::writes_failed];
  const auto delivered = total[counter::deliveries];
  const auto lost = total[counter::ws_msgs_lost];
  out["ws_connection_success"] =
      rate_view(total[counter::ws_connect_ok], total[counter::ws_connect_failed]);
  if (http_writes) out["http_req_failed"] = rate_view(failed, writes - std::min(writes, failed));
  out["ws_delivery_success"] = rate_view(delivered, lost);
  // One check per write (accepted) and one per expected delivery (arrived).
  out["checks"] = rate_view(writes - std::min(writes, failed) + delivered, failed + lost);
  out["users"] = gauge_view(gauges.users);
  out["connections"] = gauge_view(gauges.connections);
  out["server_rss_bytes"] = gauge_view(gauges.server_rss_bytes, "data");
  out["server_cpu_percent"] = gauge_view(gauges.server_cpu_percent);
  out["tool_cpu_percent"] = gauge_view(gauges.tool_cpu_percent);
  out["tool_rss_bytes"] = gauge_view(gauges.tool_rss_bytes, "data");
  // All of the server's CPU over the steady seconds, divided by each kind of work done in them.
  const auto& st = gauges.steady;
  const auto per = [&](std::uint64_t n) {
    return metric_view{
        "gauge", "default", {{"value", st.server_cpu_s * 1e6 / static_cast<double>(n)}}};
  };
  if (st.server_cpu_s > 0 && st.writes) out["server_cpu_us_per_write"] = per(st.writes);
  if (st.server_cpu_s > 0 && st.deliveries) out["server_cpu_us_per_delivery"] = per(st.deliveries);
  // Connections accepted per second (max: the busiest second), and what each cost the server.
  if (gauges.connects_per_s.seen) out["ws_connects_per_second"] = gauge_view(gauges.connects_per_s);
  const auto& cn = gauges.connecting;
  if (cn.server_cpu_s > 0 && cn.connects)
    out["server_cpu_us_per_connect"] = metric_view{
        "gauge", "default", {{"value", cn.server_cpu_s * 1e6 / static_cast<double>(cn.connects)}}};
  return out;
}

bool is_known_metric(std::string_view full_name) {
  const auto name = base_name(full_name);
  if (name != full_name) return trend_named(name) || counter_named(name);
  if (trend_named(name) || counter_named(name)) return true;
  for (const auto n : rate_names)
    if (n == name) return true;
  for (const auto n : gauge_names)
    if (n == name) return true;
  return false;
}

}  // namespace archibald::load
