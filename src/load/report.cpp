#include "load/report.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdio>
#include <map>

namespace archibald::load {
namespace {

namespace json = boost::json;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string dotted(std::string_view name, std::size_t width = 34) {
  std::string out(name);
  out += std::string(width > out.size() ? width - out.size() : 1, '.');
  return out + ": ";
}

std::string format_value(const metric_view& m) {
  if (m.type == "trend") {
    std::string out;
    for (const auto key : trend_value_keys) {
      if (key == "p(50)") continue;  // med says it
      if (!out.empty()) out += ' ';
      out += std::string(key) + "=" + format_ms(*m.value(key));
    }
    return out;
  }
  if (m.type == "counter")
    return fmt("%.0f", *m.value("count")) + "  " + fmt("%.1f/s", *m.value("rate"));
  if (m.type == "rate")
    return fmt("%.2f%%", *m.value("rate") * 100) + "  " + fmt("%.0f", *m.value("passes")) +
           " out of " + fmt("%.0f", *m.value("passes") + *m.value("fails"));
  const bool bytes = m.contains == "data";
  const auto show = [bytes](double v) { return bytes ? fmt("%.1f MB", v / 1e6) : fmt("%.1f", v); };
  std::string out = show(*m.value("value"));
  if (const auto min = m.value("min"), max = m.value("max"); min && max)
    out += "  min=" + show(*min) + " max=" + show(*max);
  return out;
}

// The summary's sections, in order, with the metrics each shows.
const std::vector<std::pair<std::string, std::vector<std::string>>>& sections() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> s = {
      {"DELIVERY",
       {"ws_e2e_latency", "ws_e2e_latency_same_node", "ws_e2e_latency_cross_node",
        "ws_e2e_latency_uncorrected", "deliveries", "ws_msgs_lost", "ws_msgs_duplicated",
        "ws_msgs_reordered", "ws_msgs_late", "ws_seq_gaps", "ws_delivery_success", "checks"}},
      {"WRITES",
       {"writes", "writes_failed", "writes_late", "writes_skipped", "write_send_lag",
        "http_req_duration", "http_req_failed", "ws_ack_duration"}},
      {"CONNECTIONS",
       {"ws_connecting", "ws_connection_success", "ws_connect_ok", "ws_connect_failed",
        "ws_connects_per_second", "ws_reconnects", "ws_drops", "ws_catch_up", "ws_ping",
        "ws_msgs_sent", "ws_msgs_received", "connections", "users"}},
      {"RESOURCES",
       {"server_rss_bytes", "server_cpu_percent", "server_cpu_us_per_write",
        "server_cpu_us_per_delivery", "server_cpu_us_per_connect", "tool_rss_bytes",
        "tool_cpu_percent", "tool_loop_lag"}},
  };
  return s;
}

std::string url_text(const endpoint_url& u) {
  return "http://" + u.host + ":" + std::to_string(u.port);
}

std::string describe(const load_options& o) {
  std::string out = "scenario: " + (o.scenario.empty() ? std::string("custom") : o.scenario);
  if (o.breakpoint.enabled)
    return out + " — breakpoint: " + std::string(name_of(o.mode)) + " writes, " +
           std::to_string(o.users) + " users × " + std::to_string(o.devices) +
           " devices, levels of " + format_ms(static_cast<double>(o.breakpoint.step.count())) +
           " until a threshold fails";
  out += " — " + std::string(name_of(o.mode)) + " writes, " + std::to_string(peak_users(o)) +
         " users × " + std::to_string(o.devices) + " devices, one write per user every " +
         format_ms(static_cast<double>(effective_period(o).count())) + ", " +
         format_ms(static_cast<double>(planned_duration(o).count()));
  out += "\n  target:";
  for (const auto& u : o.urls) out += " " + url_text(u);
  return out;
}

// Several --url: one line per node — what went through it and what its devices received.
std::string nodes_text(const load_options& o, const metric_table& metrics) {
  std::string out =
      "\n  █ NODES\n\n    node  url                         connects  writes  failed  deliveries"
      "  lost  e2e p50    e2e p95    e2e p99\n";
  for (std::size_t n = 0; n < o.urls.size(); ++n) {
    const auto get = [&](std::string_view name, std::string_view key) {
      const auto it = metrics.find(node_metric(name, n));
      return it == metrics.end() ? 0.0 : it->second.value(key).value_or(0.0);
    };
    const auto e2e = [&](const char* q) { return format_ms(get("ws_e2e_latency", q)); };
    char line[256];
    std::snprintf(
        line, sizeof line, "    %4zu  %-26s %9.0f %7.0f %7.0f %11.0f %5.0f  %-10s %-10s %s\n", n,
        url_text(o.urls[n]).c_str(), get("ws_connect_ok", "count"), get("writes", "count"),
        get("writes_failed", "count"), get("deliveries", "count"), get("ws_msgs_lost", "count"),
        e2e("p(50)").c_str(), e2e("p(95)").c_str(), e2e("p(99)").c_str());
    out += line;
  }
  return out;
}

}  // namespace

std::string format_ms(double ms) {
  if (ms < 1.0) return fmt("%.0fµs", ms * 1000.0);
  if (ms < 1000.0) return fmt(ms < 10 ? "%.2fms" : "%.1fms", ms);
  if (ms < 60'000.0) return fmt("%.2fs", ms / 1000.0);
  const double minutes = std::floor(ms / 60'000.0);
  return fmt("%.0fm", minutes) + fmt("%.0fs", (ms - minutes * 60'000.0) / 1000.0);
}

std::string progress_line(const second_sample& s, double planned_s) {
  const auto& st = s.interval;
  const auto errors =
      st[counter::writes_failed] + st[counter::ws_msgs_lost] + st[counter::ws_connect_failed];
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "[%5.0fs/%.0fs] users %llu conns %llu  writes %llu/s  deliveries %llu/s  "
                "e2e p99 %s  pending %llu  errors %llu",
                s.elapsed_s, planned_s, static_cast<unsigned long long>(s.gauges.users),
                static_cast<unsigned long long>(s.gauges.connections),
                static_cast<unsigned long long>(st[counter::writes]),
                static_cast<unsigned long long>(st[counter::deliveries]),
                format_ms(s.e2e_p99_so_far_ms).c_str(),
                static_cast<unsigned long long>(s.gauges.pending),
                static_cast<unsigned long long>(errors));
  return buf;
}

std::string ndjson_line(const second_sample& s) {
  const auto& st = s.interval;
  const auto ms = [](const latency_histogram& h, double q) { return h.quantile_us(q) / 1000.0; };
  json::object o{{"t", s.elapsed_s},
                 {"users", s.gauges.users},
                 {"connections", s.gauges.connections},
                 {"pending", s.gauges.pending},
                 {"writes", st[counter::writes]},
                 {"writes_failed", st[counter::writes_failed]},
                 {"writes_skipped", st[counter::writes_skipped]},
                 {"deliveries", st[counter::deliveries]},
                 {"lost", st[counter::ws_msgs_lost]},
                 {"duplicated", st[counter::ws_msgs_duplicated]},
                 {"connects", st[counter::ws_connect_ok]},
                 {"connect_failures", st[counter::ws_connect_failed]},
                 {"drops", st[counter::ws_drops]},
                 {"e2e_p50_ms", ms(st[trend::ws_e2e_latency], 0.5)},
                 {"e2e_p95_ms", ms(st[trend::ws_e2e_latency], 0.95)},
                 {"e2e_p99_ms", ms(st[trend::ws_e2e_latency], 0.99)},
                 {"e2e_max_ms", st[trend::ws_e2e_latency].max_us() / 1000.0},
                 {"http_p99_ms", ms(st[trend::http_req_duration], 0.99)},
                 {"ping_p99_ms", ms(st[trend::ws_ping], 0.99)},
                 {"connecting_p99_ms", ms(st[trend::ws_connecting], 0.99)},
                 {"tool_cpu_percent", s.tool_cpu_percent},
                 {"tool_rss_bytes", s.tool_rss_bytes}};
  if (s.server_rss_bytes) o["server_rss_bytes"] = *s.server_rss_bytes;
  if (s.server_cpu_percent) o["server_cpu_percent"] = *s.server_cpu_percent;
  return json::serialize(o);
}

std::string summary_text(const load_options& o, const run_outcome& r) {
  std::string out = "\n  " + describe(o) + "\n";
  if (!r.thresholds.empty()) {
    out += "\n  █ THRESHOLDS\n";
    std::string metric;
    for (const auto& t : r.thresholds) {
      if (t.rule.metric != metric) out += "\n    " + (metric = t.rule.metric) + "\n";
      out += std::string("    ") + (t.ok ? "✓" : "✗") + " '" + t.rule.expression + "' ";
      if (!t.observed) {
        out += "no samples\n";
        continue;
      }
      const auto& view = r.metrics.at(t.rule.metric);
      out += t.rule.aggregate + "=" +
             (view.type == "trend" ? format_ms(*t.observed) : fmt("%g", *t.observed)) + "\n";
    }
  }
  out += "\n  █ TOTAL RESULTS\n";
  for (const auto& [title, names] : sections()) {
    out += "\n    " + title + "\n";
    for (const auto& name : names) {
      const auto it = r.metrics.find(name);
      if (it == r.metrics.end()) continue;
      if (it->second.type == "trend" && it->second.samples == 0) continue;
      if (it->second.type == "gauge" && *it->second.value("max") == 0 &&
          *it->second.value("min") == 0)
        continue;
      out += "    " + dotted(name) + format_value(it->second) + "\n";
    }
  }
  if (o.urls.size() > 1) out += nodes_text(o, r.metrics);
  if (const auto* curve = r.extra.if_contains("breakpoint"); curve && curve->is_array()) {
    out +=
        "\n  █ BREAKPOINT\n\n    level  users  writes/s  e2e p50    e2e p95    e2e p99    checks\n";
    std::map<std::string, std::string> last_ok;  // phase → its last passing level
    for (const auto& level : curve->as_array()) {
      const auto& l = level.as_object();
      const auto num = [&](const char* k) { return l.at(k).to_number<double>(); };
      char line[160];
      std::snprintf(line, sizeof line, "    %s %3.0f %6.0f %9.0f  %-10s %-10s %-10s %.2f%%\n",
                    l.at("ok").as_bool() ? "✓" : "✗", num("level"), num("users"),
                    num("writesPerSecond"), format_ms(num("e2eP50Ms")).c_str(),
                    format_ms(num("e2eP95Ms")).c_str(), format_ms(num("e2eP99Ms")).c_str(),
                    num("checks") * 100);
      out += line;
      if (l.at("ok").as_bool())
        last_ok[std::string(l.at("phase").as_string())] =
            fmt("level %.0f: ", num("level")) + fmt("%.0f users, ", num("users")) +
            fmt("%.0f writes/s", num("writesPerSecond"));
    }
    out += "\n";
    for (const auto* phase : {"rate", "users"})
      out += std::string("    last passing (stepping ") + phase +
             "): " + (last_ok.contains(phase) ? last_ok[phase] : "none") + "\n";
  }
  if (!r.errors.empty()) {
    out += "\n  █ ERRORS\n\n";
    for (const auto& [reason, n] : r.errors)
      out += "    " + std::to_string(n) + " × " + reason + "\n";
  }
  out += "\n  running " + format_ms(r.duration_s * 1000.0) + "\n";
  for (const auto& w : r.warnings) out += "\n  ⚠ " + w + "\n";
  return out;
}

json::object summary_json(const load_options& o, const run_outcome& r) {
  json::object metrics;
  std::map<std::string, json::object> thresholds_of;
  for (const auto& t : r.thresholds)
    thresholds_of[t.rule.metric][t.rule.expression] = {{"ok", t.ok}};
  for (const auto& [name, view] : r.metrics) {
    json::object values;
    for (const auto& [k, v] : view.values) values[k] = v;
    json::object m{{"type", view.type}, {"contains", view.contains}, {"values", std::move(values)}};
    if (auto it = thresholds_of.find(name); it != thresholds_of.end())
      m["thresholds"] = std::move(it->second);
    metrics[name] = std::move(m);
  }
  json::array warnings;
  for (const auto& w : r.warnings) warnings.push_back(json::string(w));
  json::array urls;
  for (const auto& u : o.urls) urls.push_back(json::string(url_text(u)));
  bool all_ok = true;
  for (const auto& t : r.thresholds) all_ok = all_ok && t.ok;
  // What each breakpoint level was judged by (the run's thresholds when the scenario names none).
  json::array level_rules;
  if (o.breakpoint.enabled)
    for (const auto& t : o.breakpoint.thresholds.empty() ? o.thresholds : o.breakpoint.thresholds)
      level_rules.push_back(json::string(t.metric + " " + t.expression));
  json::object out{
      {"state", {{"testRunDurationMs", r.duration_s * 1000.0}, {"thresholdsPassed", all_ok}}},
      {"options",
       {{"scenario", o.scenario},
        {"urls", std::move(urls)},
        {"users", peak_users(o)},
        {"devices", o.devices},
        {"writeMode", name_of(o.mode)},
        {"writePeriodMs", effective_period(o).count()},
        {"durationMs", planned_duration(o).count()},
        {"workers", o.workers},
        {"threads", o.threads},
        {"breakpointThresholds", std::move(level_rules)}}},
      {"metrics", std::move(metrics)},
      {"warnings", std::move(warnings)}};
  json::object errors;
  for (const auto& [reason, n] : r.errors) errors[reason] = n;
  out["errors"] = std::move(errors);
  for (const auto& [k, v] : r.extra) out[k] = v;
  return out;
}

}  // namespace archibald::load
