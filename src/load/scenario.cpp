#include "load/scenario.hpp"

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>

#include "protocol/duration.hpp"

namespace archibald::load {
namespace {

namespace json = boost::json;

struct reader {
  const json::object& obj;
  std::string error;

  const json::value* get(std::string_view key) { return obj.if_contains(key); }

  void duration(std::string_view key, milliseconds& out) {
    const auto* v = get(key);
    if (!v) return;
    std::optional<milliseconds> d;
    if (v->is_string()) d = parse_duration(v->get_string());
    // Whole seconds; bounded so that the milliseconds fit (found by fuzzing: 8.3e16 s
    // overflowed, undefined behaviour).
    if (v->is_int64() && v->get_int64() >= 0 && v->get_int64() <= INT64_MAX / 1000)
      d = milliseconds{v->get_int64() * 1000};
    if (!d)
      error = std::string(key) + ": expected a duration such as \"30s\"";
    else
      out = *d;
  }
  template <typename T>
  void count(std::string_view key, T& out) {
    const auto* v = get(key);
    if (!v) return;
    if (v->is_int64() && v->get_int64() >= 0)
      out = static_cast<T>(v->get_int64());
    else if (v->is_uint64())
      out = static_cast<T>(v->get_uint64());
    else
      error = std::string(key) + ": expected a non-negative integer";
  }
  void number(std::string_view key, double& out) {
    const auto* v = get(key);
    if (!v) return;
    if (v->is_number() && v->to_number<double>() >= 0)
      out = v->to_number<double>();
    else
      error = std::string(key) + ": expected a non-negative number";
  }
};

std::string read_thresholds(const json::value& v, std::vector<threshold>& out) {
  if (!v.is_object()) return "thresholds: expected {\"metric\": [\"p(95)<100\"]}";
  out.clear();
  for (const auto& [metric, list] : v.get_object()) {
    if (!list.is_array()) return "thresholds." + std::string(metric) + ": expected an array";
    for (const auto& e : list.get_array()) {
      if (!e.is_string()) return "thresholds." + std::string(metric) + ": expected strings";
      auto t = parse_threshold(metric, e.get_string());
      if (auto* err = std::get_if<std::string>(&t)) return "thresholds: " + *err;
      out.push_back(std::get<threshold>(std::move(t)));
    }
  }
  return {};
}

std::string read_stages(const json::value& v, std::vector<stage>& out) {
  if (!v.is_array()) return "stages: expected [{\"duration\": \"30s\", \"target\": 100}]";
  out.clear();
  for (const auto& e : v.get_array()) {
    if (!e.is_object()) return "stages: expected objects";
    reader r{e.get_object(), {}};
    stage s;
    if (!r.get("duration") || !r.get("target")) return "stages: need duration and target";
    r.duration("duration", s.duration);
    r.count("target", s.target);
    if (!r.error.empty()) return "stages: " + r.error;
    out.push_back(s);
  }
  return {};
}

}  // namespace

std::string scenario_text(const std::string& name_or_file, std::string& error) {
  const bool is_file =
      name_or_file.find('/') != std::string::npos || name_or_file.ends_with(".json");
  if (!is_file) {
    for (const auto& s : embedded_scenarios())
      if (s.name == name_or_file) return std::string(s.json);
    error = "no built-in scenario '" + name_or_file + "'; built in:";
    for (const auto& s : embedded_scenarios()) error += " " + std::string(s.name);
    return {};
  }
  std::ifstream in(name_or_file);
  if (!in) {
    error = "cannot read scenario file " + name_or_file;
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string apply_scenario(std::string_view json_text, load_options& o) {
  boost::system::error_code ec;
  const auto doc = json::parse(json_text, ec);
  if (ec || !doc.is_object()) return "scenario is not a JSON object: " + ec.message();
  reader r{doc.get_object(), {}};
  if (const auto* v = r.get("description"); v && v->is_string())
    o.description = std::string(v->get_string());
  r.count("users", o.users);
  r.count("devices", o.devices);
  if (const auto* v = r.get("writeMode")) {
    const auto mode = v->is_string() ? parse_write_mode(v->get_string()) : std::nullopt;
    if (!mode) return "writeMode: expected rest, ws or publish";
    o.mode = *mode;
  }
  r.duration("writePeriod", o.write_period);
  r.number("writeRate", o.write_rate);
  r.count("items", o.items);
  r.duration("duration", o.duration);
  r.duration("pingPeriod", o.ping_period);
  r.duration("deliveryTimeout", o.delivery_timeout);
  r.duration("drain", o.drain);
  r.count("connectConcurrency", o.connect_concurrency);
  if (!r.error.empty()) return r.error;
  if (const auto* v = r.get("stages")) {
    if (auto e = read_stages(*v, o.stages); !e.empty()) return e;
  }
  if (const auto* v = r.get("thresholds")) {
    if (auto e = read_thresholds(*v, o.thresholds); !e.empty()) return e;
  }
  if (const auto* v = r.get("breakpoint")) {
    if (!v->is_object()) return "breakpoint: expected an object";
    reader b{v->get_object(), {}};
    o.breakpoint.enabled = true;
    b.duration("step", o.breakpoint.step);
    b.number("rateStart", o.breakpoint.rate_start);
    b.number("rateStep", o.breakpoint.rate_step);
    b.count("usersStep", o.breakpoint.users_step);
    b.count("maxLevels", o.breakpoint.max_levels);
    if (!b.error.empty()) return "breakpoint." + b.error;
    if (const auto* t = b.get("thresholds")) {
      if (auto e = read_thresholds(*t, o.breakpoint.thresholds); !e.empty())
        return "breakpoint." + e;
    }
  }
  if (const auto* v = r.get("chaos")) {
    if (!v->is_object()) return "chaos: expected an object";
    reader c{v->get_object(), {}};
    c.duration("at", o.chaos.at);
    c.duration("restartDelay", o.chaos.restart_delay);
    if (!c.error.empty()) return "chaos." + c.error;
  }
  return {};
}

}  // namespace archibald::load
