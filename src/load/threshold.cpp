#include "load/threshold.hpp"

#include <charconv>
#include <cmath>

namespace archibald::load {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Empty when the table reports the aggregate; else why not. The table holds k6's trend
// values (with its set of percentiles) and count / rate / value / passes / fails.
std::string aggregate_error(std::string_view a) {
  for (const auto key : trend_value_keys)
    if (key == a) return {};
  for (const auto key : {"count", "rate", "value", "passes", "fails"})
    if (a == key) return {};
  double q = 0;
  const auto inner = a.size() >= 4 && a.substr(0, 2) == "p(" && a.back() == ')'
                         ? a.substr(2, a.size() - 3)
                         : std::string_view{};
  const auto [end, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), q);
  if (!inner.empty() && ec == std::errc{} && end == inner.data() + inner.size() && q > 0 &&
      q <= 100)
    return "percentile '" + std::string(a) +
           "' not reported; use p(50), p(90), p(95), p(99), p(99.9)";
  return "unknown aggregate '" + std::string(a) + "'";
}

}  // namespace

std::variant<threshold, std::string> parse_threshold(std::string_view spec) {
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos)
    return std::string("expected METRIC:EXPRESSION, e.g. ws_e2e_latency:p(95)<100");
  return parse_threshold(spec.substr(0, colon), spec.substr(colon + 1));
}

std::variant<threshold, std::string> parse_threshold(std::string_view metric,
                                                     std::string_view expression) {
  threshold t;
  t.metric = std::string(trim(metric));
  t.expression = std::string(trim(expression));
  if (!is_known_metric(t.metric)) return "unknown metric '" + t.metric + "'";
  const std::string_view e = t.expression;
  const auto at = e.find_first_of("<>=!");
  if (at == std::string_view::npos) return "no comparison in '" + t.expression + "'";
  t.aggregate = std::string(trim(e.substr(0, at)));
  std::string_view rest = e.substr(at);
  using op = threshold::op;
  static constexpr std::pair<std::string_view, op> ops[] = {
      {"<=", op::less_equal}, {">=", op::greater_equal}, {"==", op::equal},
      {"!=", op::not_equal},  {"<", op::less},           {">", op::greater}};
  bool matched = false;
  for (const auto& [text, o] : ops) {
    if (rest.substr(0, text.size()) == text) {
      t.comparison = o;
      rest.remove_prefix(text.size());
      matched = true;
      break;
    }
  }
  if (!matched) return "bad comparison in '" + t.expression + "'";
  rest = trim(rest);
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), t.bound);
  if (ec != std::errc{} || end != rest.data() + rest.size() || !std::isfinite(t.bound))
    return "bad number in '" + t.expression + "'";
  if (auto error = aggregate_error(t.aggregate); !error.empty()) return error;
  return t;
}

threshold_result evaluate(const threshold& rule, const metric_table& metrics) {
  threshold_result r{rule, false, std::nullopt};
  const auto it = metrics.find(rule.metric);
  if (it == metrics.end()) return r;
  const auto& view = it->second;
  // A trend without samples has no percentiles: nothing was measured, so nothing passed.
  if (view.type == "trend" && view.samples == 0) return r;
  r.observed = view.value(rule.aggregate);
  if (!r.observed) return r;
  const double v = *r.observed, b = rule.bound;
  using op = threshold::op;
  switch (rule.comparison) {
    case op::less:
      r.ok = v < b;
      break;
    case op::less_equal:
      r.ok = v <= b;
      break;
    case op::greater:
      r.ok = v > b;
      break;
    case op::greater_equal:
      r.ok = v >= b;
      break;
    case op::equal:
      r.ok = v == b;
      break;
    case op::not_equal:
      r.ok = v != b;
      break;
  }
  return r;
}

std::vector<threshold_result> evaluate_all(const std::vector<threshold>& rules,
                                           const metric_table& metrics) {
  std::vector<threshold_result> out;
  out.reserve(rules.size());
  for (const auto& rule : rules) out.push_back(evaluate(rule, metrics));
  return out;
}

}  // namespace archibald::load
