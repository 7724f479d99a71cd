#include "http/url.hpp"

namespace archibald {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (plus_is_space && in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

namespace {

// Calls fn(name, value) for each '&'-separated parameter until fn returns true.
template <typename Fn>
void for_each_param(std::string_view query, Fn&& fn) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (fn(name, value, pair)) return;
    if (amp == std::string_view::npos) return;
    query.remove_prefix(amp + 1);
  }
}

}  // namespace

target_parts split_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  std::optional<std::string> found;
  bool seen = false;
  for_each_param(query, [&](std::string_view n, std::string_view value, std::string_view) {
    if (n != name) return false;
    seen = true;
    found = percent_decode(value, true);
    return true;
  });
  return seen ? found : std::nullopt;
}

std::string redact_target(std::string_view target) {
  const auto [path, query] = split_target(target);
  if (query.empty()) return std::string(target);
  std::string out(path);
  char sep = '?';
  for_each_param(query, [&](std::string_view name, std::string_view, std::string_view pair) {
    out += sep;
    sep = '&';
    if (name == "token" || name == "access_token") {
      out.append(name).append("=[REDACTED]");
    } else {
      out.append(pair);
    }
    return false;
  });
  return out;
}

}  // namespace archibald
