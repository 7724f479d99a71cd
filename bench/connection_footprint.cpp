// Opens N idle WebSocket connections to a running archibald-realtime and reports how much the
// server's resident memory grew per connection (read from its /metrics), and this process's own.
//   archibald_footprint_bench --port 3000 --secret S --connections 19000 [--users 9500]
//                             [--tls [--ca FILE | --insecure]]   (wss:// and https://)
// Every connection answers pings (it keeps a read pending); all are closed at the end.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "auth/jwt.hpp"
#include "client/http_client.hpp"
#include "client/ws_async.hpp"
#include "metrics/process_stats.hpp"
#include "metrics/prometheus_writer.hpp"
#include "protocol/server_config.hpp"
#include "tls/tls_context.hpp"

namespace asio = boost::asio;

namespace {

// Opens the connections, at most max_in_flight handshakes at a time, and keeps them open.
struct opener final : archibald::ws_async_listener {
  asio::io_context& ioc;
  archibald::ws_async_target target;
  std::vector<std::string> tokens;
  std::vector<std::unique_ptr<archibald::ws_async_connection>> devices;
  std::size_t next = 0, open = 0, failed = 0, in_flight = 0;
  static constexpr std::size_t max_in_flight = 256;

  opener(asio::io_context& c, archibald::ws_async_target t) : ioc(c), target(std::move(t)) {}

  void pump() {
    while (in_flight < max_in_flight && next < tokens.size()) {
      ++in_flight;
      auto t = target;
      t.target = "/ws/realtime?token=" + tokens[next];
      devices.push_back(std::make_unique<archibald::ws_async_connection>(ioc, *this, next++));
      devices.back()->connect(t);
    }
  }
  void on_open(std::uint64_t, std::chrono::nanoseconds) override { done(true); }
  void on_message(std::uint64_t, std::string_view) override {}
  void on_down(std::uint64_t, bool was_open, std::uint16_t, std::string_view) override {
    if (!was_open) done(false);
  }
  void done(bool ok) {
    --in_flight;
    (ok ? open : failed) += 1;
    pump();
  }
};

std::uint64_t server_rss(const std::string& host, std::uint16_t port,
                         const archibald::tls_client_context* tls) {
  const auto r =
      archibald::http_request(host, port, "GET", "/metrics", {}, {}, std::chrono::seconds(5), tls);
  return static_cast<std::uint64_t>(
      archibald::prometheus_sample(r.body, "archibald_process_resident_memory_bytes").value_or(0));
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", secret = archibald::dev_jwt_secret;
  std::uint16_t port = 3000;
  std::size_t connections = 1000, users = 0;
  double settle_s = 2;
  CLI::App app{"Idle-connection memory footprint of archibald-realtime"};
  app.add_option("--host", host);
  app.add_option("--port", port);
  app.add_option("--secret", secret)->envname("JWT_SECRET");
  app.add_option("--connections", connections);
  app.add_option("--users", users, "default: connections / 2 (two devices each)");
  app.add_option("--settle", settle_s, "seconds to wait before measuring");
  bool tls = false;
  archibald::tls_client_options tls_options;
  app.add_flag("--tls", tls, "wss:// and https://");
  app.add_option("--ca", tls_options.ca_file, "CA file that signed the server's certificate");
  app.add_flag("--insecure", tls_options.insecure, "do not verify the server's certificate");
  CLI11_PARSE(app, argc, argv);
  const archibald::tls_client_context tls_context(tls_options);
  if (tls && !tls_context.error().empty()) {
    std::cerr << tls_context.error() << "\n";
    return 2;
  }
  const archibald::tls_client_context* tls_used = tls ? &tls_context : nullptr;
  if (users == 0) users = std::max<std::size_t>(1, connections / 2);
  archibald::raise_open_file_limit();

  const std::uint64_t rss_before = server_rss(host, port, tls_used);
  const std::uint64_t self_before = archibald::resident_memory_bytes();
  asio::io_context ioc;
  opener o(ioc, {host, port, {}, {}, std::chrono::seconds(10), tls_used});
  for (std::size_t i = 0; i < connections; ++i)
    o.tokens.push_back(archibald::issue_token(secret, "fp-" + std::to_string(i % users),
                                              archibald::user_role::agent, {},
                                              std::chrono::hours(1)));
  o.devices.reserve(connections);
  const auto start = std::chrono::steady_clock::now();
  o.pump();
  while (o.open + o.failed < connections) ioc.run_one();
  const double open_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto settle_until = std::chrono::steady_clock::now() +
                            std::chrono::milliseconds(static_cast<int>(settle_s * 1000));
  while (std::chrono::steady_clock::now() < settle_until)
    ioc.run_for(std::chrono::milliseconds(100));
  const std::uint64_t rss_after = server_rss(host, port, tls_used);
  const std::uint64_t self_after = archibald::resident_memory_bytes();

  std::cout << "connections open: " << o.open << " failed: " << o.failed << " in " << open_s
            << " s (" << static_cast<int>(o.open / open_s) << "/s)\n"
            << "server RSS: " << rss_before / 1024 << " KiB -> " << rss_after / 1024
            << " KiB; per connection: "
            << (o.open ? (static_cast<double>(rss_after) - rss_before) / o.open : 0) << " bytes\n"
            << "client RSS per connection: "
            << (o.open ? (static_cast<double>(self_after) - self_before) / o.open : 0)
            << " bytes\n";
  for (auto& d : o.devices) d->abandon();
  ioc.run_for(std::chrono::milliseconds(500));
  return o.failed == 0 ? 0 : 1;
}
