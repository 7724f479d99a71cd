#include "load/load_options.hpp"

#include <boost/url/parse.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "protocol/duration.hpp"

namespace archibald::load {
namespace {

std::optional<std::uint32_t> ipv4_of(const std::string& text) {
  in_addr addr{};
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

std::string ipv4_text(std::uint32_t host_order) {
  in_addr addr{htonl(host_order)};
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return buf;
}

bool is_loopback(std::uint32_t a) {
  return (a >> 24) == 127;
}

// Loopback, or the private ranges network namespaces use.
bool is_own_address(std::uint32_t a) {
  return is_loopback(a) || (a >> 24) == 10 || (a >> 20) == ((172u << 4) | 1) ||
         (a >> 16) == ((192u << 8) | 168);
}

}  // namespace

std::optional<write_mode> parse_write_mode(std::string_view text) {
  if (text == "rest") return write_mode::rest;
  if (text == "ws") return write_mode::ws;
  if (text == "publish") return write_mode::publish;
  return std::nullopt;
}

std::string_view name_of(write_mode mode) {
  switch (mode) {
    case write_mode::rest:
      return "rest";
    case write_mode::ws:
      return "ws";
    case write_mode::publish:
      return "publish";
  }
  return "?";
}

std::optional<stage> parse_stage(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto duration = parse_duration(text.substr(0, colon));
  const auto target_text = text.substr(colon + 1);
  std::size_t target = 0;
  const auto [end, ec] =
      std::from_chars(target_text.data(), target_text.data() + target_text.size(), target);
  if (!duration || ec != std::errc{} || end != target_text.data() + target_text.size() ||
      target_text.empty())
    return std::nullopt;
  return stage{*duration, target};
}

std::optional<endpoint_url> parse_target_url(std::string_view text, std::string& error) {
  const auto parsed = boost::urls::parse_absolute_uri({text.data(), text.size()});
  const std::string_view scheme = parsed ? std::string_view(parsed->scheme()) : "";
  const bool tls = scheme == "https" || scheme == "wss";
  if (!parsed || !(tls || scheme == "http" || scheme == "ws") || !parsed->has_authority()) {
    error = "url must be http(s)://host:port or ws(s)://host:port (" + std::string(text) + ")";
    return std::nullopt;
  }
  // Boost.URL 1.81 reads "http://h:3x" as port 3 and path "x": a path must start with '/'.
  if (!parsed->encoded_path().empty() && parsed->encoded_path().front() != '/') {
    error = "bad port in " + std::string(text);
    return std::nullopt;
  }
  if (parsed->has_userinfo()) {
    error = "url must not carry credentials (" + std::string(text) + ")";
    return std::nullopt;
  }
  endpoint_url url;
  url.host = parsed->host_address();
  url.tls = tls;
  url.port = tls ? 443 : 80;
  if (parsed->has_port()) {
    const std::string_view port(parsed->port().data(), parsed->port().size());
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
    if (ec != std::errc{} || end != port.data() + port.size() || url.port == 0) {
      error = "bad port in " + std::string(text);
      return std::nullopt;
    }
  }
  if (url.host == "localhost") url.host = "127.0.0.1";
  const auto addr = ipv4_of(url.host);
  if (!addr) {
    error = "url host must be a numeric IPv4 address or localhost (" + std::string(text) + ")";
    return std::nullopt;
  }
  if (!is_own_address(*addr)) {
    error = "refusing to load " + url.host + ": only loopback or private (namespace) targets";
    return std::nullopt;
  }
  return url;
}

std::optional<std::vector<std::string>> parse_source_ips(std::string_view text,
                                                         std::string& error) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = std::min(text.find(',', pos), text.size());
    const std::string part(text.substr(pos, comma - pos));
    pos = comma + 1;
    const auto dash = part.find('-');
    const auto first = ipv4_of(part.substr(0, dash));
    const auto last = dash == std::string::npos ? first : ipv4_of(part.substr(dash + 1));
    if (!first || !last || *last < *first || *last - *first > 255) {
      error = "bad source address range '" + part + "' (e.g. 127.0.0.1-127.0.0.4)";
      return std::nullopt;
    }
    for (std::uint32_t a = *first;; ++a) {
      if (!is_loopback(a)) {
        error = "source addresses must be loopback (127.0.0.0/8): " + ipv4_text(a);
        return std::nullopt;
      }
      out.push_back(ipv4_text(a));
      if (a == *last) break;
    }
    if (comma == text.size()) break;
  }
  return out;
}

void scale_durations(load_options& o, double factor) {
  const auto scaled = [factor](milliseconds d) {
    return milliseconds{static_cast<std::int64_t>(static_cast<double>(d.count()) * factor)};
  };
  o.duration = scaled(o.duration);
  for (auto& s : o.stages) s.duration = scaled(s.duration);
  o.breakpoint.step = std::max(milliseconds{1000}, scaled(o.breakpoint.step));
  o.chaos.at = scaled(o.chaos.at);
}

void scale_users(load_options& o, double factor) {
  const auto scaled = [factor](std::size_t users) -> std::size_t {
    if (users == 0) return 0;
    return std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(static_cast<double>(users) * factor)));
  };
  o.users = scaled(o.users);
  for (auto& s : o.stages) s.target = scaled(s.target);
  o.breakpoint.users_step = scaled(o.breakpoint.users_step);
}

std::vector<std::string> default_source_ips(const load_options& o) {
  for (const auto& url : o.urls)
    if (!is_loopback(ipv4_of(url.host).value_or(0))) return {};
  // connect() scans a source address's ports machine-wide: workers and targets share them.
  const std::size_t connections = peak_users(o) * o.devices;
  const std::size_t wanted = std::min<std::size_t>(16, (connections + 6999) / 7000);
  if (wanted < 2) return {};
  std::vector<std::string> out;
  for (std::uint32_t i = 1; i <= wanted; ++i) out.push_back(ipv4_text((127u << 24) | i));
  return out;
}

milliseconds effective_period(const load_options& o) {
  if (o.write_rate > 0) {
    const double ms = static_cast<double>(peak_users(o)) * 1000.0 / o.write_rate;
    return milliseconds{std::max<std::int64_t>(1, static_cast<std::int64_t>(ms))};
  }
  return o.write_period;
}

milliseconds planned_duration(const load_options& o) {
  if (o.breakpoint.enabled)  // + one unmeasured step to recover between the two phases
    return o.breakpoint.step * static_cast<std::int64_t>(o.breakpoint.max_levels + 1);
  if (o.stages.empty()) return o.duration;
  milliseconds total{0};
  for (const auto& s : o.stages) total += s.duration;
  return total;
}

std::size_t http_connections_per_node(const load_options& o, std::size_t users) {
  const std::size_t wanted = o.http_connections ? o.http_connections / (o.threads * o.workers)
                                                : std::min<std::size_t>(users, 64);
  return std::max<std::size_t>(1, wanted / o.urls.size());
}

std::chrono::seconds token_ttl(const load_options& o) {
  return std::chrono::duration_cast<std::chrono::seconds>(planned_duration(o)) +
         std::chrono::hours(1);
}

std::vector<std::size_t> device_nodes(const load_options& o, std::size_t g) {
  std::vector<std::size_t> nodes(o.devices);
  for (std::size_t d = 0; d < nodes.size(); ++d)
    nodes[d] = o.spread_users ? g % o.urls.size() : (g + d) % o.urls.size();
  return nodes;
}

std::size_t peak_users(const load_options& o) {
  if (o.breakpoint.enabled) return o.users + o.breakpoint.users_step * o.breakpoint.max_levels;
  if (o.stages.empty()) return o.users;
  std::size_t peak = 0;
  for (const auto& s : o.stages) peak = std::max(peak, s.target);
  return peak;
}

std::string check_options(const load_options& o) {
  if (o.urls.empty()) return "no --url";
  if (o.devices == 0 || o.devices > 64) return "--devices must be 1..64";
  if (peak_users(o) == 0) return "no users: give --users or a --stage with a target";
  if (planned_duration(o) <= milliseconds{0}) return "the run has no duration";
  if (planned_duration(o) > std::chrono::hours(24)) return "runs are bounded: at most 24 h";
  if (o.write_period < milliseconds{0}) return "--write-period must not be negative";
  if (o.threads == 0 || o.threads > 64) return "--threads must be 1..64";
  if (o.workers == 0 || o.workers > 64) return "--workers must be 1..64";
  if (o.items > 100) return "--items: at most 100 per draft";
  if (o.connect_concurrency == 0) return "--connect-concurrency must be > 0";
  if (o.max_in_flight_per_user == 0) return "--max-in-flight must be > 0";
  if (o.chaos.at > milliseconds{0} && o.chaos.kill_pid <= 0 && o.chaos.restart_command.empty())
    return "chaos needs --chaos-kill-pid or --chaos-restart";
  return {};
}

}  // namespace archibald::load
