#include "load/load_stats.hpp"

#include <boost/json/array.hpp>

namespace archibald::load {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, static_cast<std::size_t>(trend::count)> trend_names{
    "ws_connecting",
    "ws_e2e_latency",
    "ws_e2e_latency_uncorrected",
    "ws_e2e_latency_same_node",
    "ws_e2e_latency_cross_node",
    "ws_ping",
    "ws_catch_up",
    "http_req_duration",
    "ws_ack_duration",
    "write_send_lag",
    "tool_loop_lag"};

constexpr std::array<std::string_view, static_cast<std::size_t>(counter::count)> counter_names{
    "writes",           "writes_failed", "writes_late",   "writes_skipped",     "ws_msgs_sent",
    "ws_msgs_received", "deliveries",    "ws_msgs_lost",  "ws_msgs_duplicated", "ws_msgs_reordered",
    "ws_msgs_late",     "ws_seq_gaps",   "ws_connect_ok", "ws_connect_failed",  "ws_reconnects",
    "ws_drops"};

template <typename Enum, typename Names>
std::optional<Enum> find_named(const Names& names, std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Enum>(i);
  return std::nullopt;
}

std::optional<std::uint64_t> unsigned_of(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  return std::nullopt;
}

}  // namespace

std::string_view name_of(trend t) {
  return trend_names[static_cast<std::size_t>(t)];
}
std::string_view name_of(counter c) {
  return counter_names[static_cast<std::size_t>(c)];
}
std::optional<trend> trend_named(std::string_view name) {
  return find_named<trend>(trend_names, name);
}
std::optional<counter> counter_named(std::string_view name) {
  return find_named<counter>(counter_names, name);
}

void load_stats::note_error(std::string_view reason) {
  if (auto it = errors.find(reason); it != errors.end()) {
    ++it->second;
  } else if (errors.size() < max_error_kinds) {
    errors.emplace(std::string(reason), 1);
  } else {
    ++errors["(other reasons)"];
  }
}

load_stats& load_stats::node(std::size_t index) {
  if (nodes.size() <= index) nodes.resize(index + 1);
  return nodes[index];
}

void load_stats::merge(const load_stats& other) {
  for (std::size_t i = 0; i < other.nodes.size(); ++i) node(i).merge(other.nodes[i]);
  for (std::size_t i = 0; i < trends.size(); ++i) trends[i].merge(other.trends[i]);
  for (std::size_t i = 0; i < counters.size(); ++i) counters[i] += other.counters[i];
  for (const auto& [reason, n] : other.errors) {
    if (errors.size() < max_error_kinds || errors.contains(reason))
      errors[reason] += n;
    else
      errors["(other reasons)"] += n;
  }
}

json::object load_stats::to_json() const {
  json::object out, trends_json, counters_json;
  for (std::size_t i = 0; i < trends.size(); ++i) {
    if (trends[i].count() == 0) continue;
    const auto parts = trends[i].parts();
    json::array buckets;
    for (const auto& [index, n] : parts.buckets) buckets.push_back(json::array{index, n});
    trends_json[trend_names[i]] = {{"buckets", std::move(buckets)},
                                   {"sum", parts.sum_us},
                                   {"min", parts.min_us},
                                   {"max", parts.max_us}};
  }
  for (std::size_t i = 0; i < counters.size(); ++i)
    if (counters[i] != 0) counters_json[counter_names[i]] = counters[i];
  out["trends"] = std::move(trends_json);
  out["counters"] = std::move(counters_json);
  if (!nodes.empty()) {
    json::array nodes_json;
    for (const auto& n : nodes) nodes_json.push_back(n.to_json());
    out["nodes"] = std::move(nodes_json);
  }
  if (!errors.empty()) {
    json::object errors_json;
    for (const auto& [reason, n] : errors) errors_json[reason] = n;
    out["errors"] = std::move(errors_json);
  }
  return out;
}

std::optional<load_stats> load_stats::from_json(const json::object& in) {
  load_stats out;
  const auto* trends_json = in.if_contains("trends");
  const auto* counters_json = in.if_contains("counters");
  if (!trends_json || !trends_json->is_object() || !counters_json || !counters_json->is_object())
    return std::nullopt;
  for (const auto& [key, value] : trends_json->get_object()) {
    const auto t = trend_named(key);
    if (!t || !value.is_object()) return std::nullopt;
    const auto& obj = value.get_object();
    latency_histogram::parts_type parts;
    const auto sum = unsigned_of(obj.if_contains("sum"));
    const auto min = unsigned_of(obj.if_contains("min"));
    const auto max = unsigned_of(obj.if_contains("max"));
    const auto* buckets = obj.if_contains("buckets");
    if (!sum || !min || !max || !buckets || !buckets->is_array()) return std::nullopt;
    parts.sum_us = *sum;
    parts.min_us = *min;
    parts.max_us = *max;
    for (const auto& b : buckets->get_array()) {
      if (!b.is_array() || b.get_array().size() != 2) return std::nullopt;
      const auto index = unsigned_of(&b.get_array()[0]);
      const auto n = unsigned_of(&b.get_array()[1]);
      if (!index || !n || *index > UINT32_MAX) return std::nullopt;
      parts.buckets.emplace_back(static_cast<std::uint32_t>(*index), *n);
    }
    if (!out[*t].add_parts(parts)) return std::nullopt;
  }
  for (const auto& [key, value] : counters_json->get_object()) {
    const auto c = counter_named(key);
    const auto n = unsigned_of(&value);
    if (!c || !n) return std::nullopt;
    out[*c] = *n;
  }
  if (const auto* nodes_json = in.if_contains("nodes"); nodes_json && nodes_json->is_array()) {
    for (const auto& n : nodes_json->get_array()) {
      auto node = n.is_object() ? from_json(n.get_object()) : std::nullopt;
      if (!node) return std::nullopt;
      out.nodes.push_back(std::move(*node));
    }
  }
  if (const auto* errors_json = in.if_contains("errors"); errors_json && errors_json->is_object()) {
    for (const auto& [reason, value] : errors_json->get_object()) {
      const auto n = unsigned_of(&value);
      if (!n) return std::nullopt;
      out.errors[std::string(reason)] += *n;
    }
  }
  return out;
}

}  // namespace archibald::load
