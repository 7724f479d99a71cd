// End-to-end sync latency and loss against a running server (this one or the Node reference):
// U users × 2 devices; every `period` each user's first device POSTs a new draft over REST
// (one kept-alive connection per user),
// and the time until the user's second device receives the DRAFT_CREATED event is recorded.
// An event that does not arrive within 5 s counts as lost.
//   archibald_sync_probe --port 3000 --secret S --users 50 --duration 15
// A measuring probe for issue-level checks; archibald-load is the full load tool.
#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/json/parse.hpp>
#include <iostream>
#include <mutex>
#include <thread>

#include "auth/jwt.hpp"
#include "client/http_client.hpp"
#include "client/ws_client.hpp"
#include "metrics/latency_histogram.hpp"
#include "metrics/process_stats.hpp"
#include "protocol/clock.hpp"
#include "protocol/server_config.hpp"

namespace {

using namespace archibald;
using steady = std::chrono::steady_clock;

struct totals {
  std::mutex mutex;
  latency_histogram e2e;
  latency_histogram http;
  std::uint64_t writes = 0, lost = 0, errors = 0;
};

std::string token_for(const std::string& user, const std::string& device,
                      const std::string& secret) {
  return issue_token(secret, user, user_role::agent, device, std::chrono::hours(1));
}

void run_user(int u, const std::string& host, std::uint16_t port, const std::string& secret,
              steady::time_point start, steady::time_point end, std::chrono::milliseconds period,
              totals& out) {
  const std::string user = "probe-" + std::to_string(u) + "-" + std::to_string(::getpid());
  ws_client writer_device, reader_device;
  if (!writer_device.connect(host, port, "/ws/realtime?token=" + token_for(user, "a", secret))
           .empty() ||
      !reader_device.connect(host, port, "/ws/realtime?token=" + token_for(user, "b", secret))
           .empty()) {
    std::lock_guard lock(out.mutex);
    ++out.errors;
    return;
  }
  const header_list auth{{"Authorization", "Bearer " + token_for(user, "a", secret)}};
  http_connection rest(host, port);  // kept alive, as a browser would
  latency_histogram e2e, http;
  std::uint64_t writes = 0, lost = 0, errors = 0;
  // Spread users over the period so writes do not all start at once.
  auto next = start + period * u / 50;
  for (int n = 0; next < end; ++n, next += period) {
    std::this_thread::sleep_until(next);
    const std::string id = user + "-d" + std::to_string(n);
    const std::string body =
        R"({"drafts":[{"id":")" + id +
        R"(","customerId":"C-1","customerName":"Probe Srl","items":[],"updatedAt":)" +
        std::to_string(epoch_ms(wall_clock::now())) + "}]}";
    const auto sent = steady::now();
    const auto r = rest.request("POST", "/api/sync/draft-orders", body, auth);
    http.record(steady::now() - sent);
    ++writes;
    if (r.status != 200) {
      ++errors;
      continue;
    }
    bool seen = false;
    while (!seen && steady::now() - sent < std::chrono::seconds(5)) {
      const auto ev = reader_device.read(std::chrono::milliseconds(100));
      if (ev.what == ws_event::kind::timeout) continue;
      if (ev.what != ws_event::kind::message) break;
      seen = ev.text.find(id) != std::string::npos;
      if (seen) e2e.record(steady::now() - sent);
    }
    if (!seen) ++lost;
    while (writer_device.read(std::chrono::milliseconds(0)).what == ws_event::kind::message) {
    }
  }
  std::lock_guard lock(out.mutex);
  out.e2e.merge(e2e);
  out.http.merge(http);
  out.writes += writes;
  out.lost += lost;
  out.errors += errors;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", secret = dev_jwt_secret;
  std::uint16_t port = 3000;
  int users = 50;
  double duration_s = 15, period_s = 1;
  CLI::App app{"End-to-end sync latency probe (REST write → event on the other device)"};
  app.add_option("--host", host);
  app.add_option("--port", port);
  app.add_option("--secret", secret)->envname("JWT_SECRET");
  app.add_option("--users", users);
  app.add_option("--duration", duration_s, "seconds");
  app.add_option("--period", period_s, "seconds between one user's writes");
  CLI11_PARSE(app, argc, argv);
  raise_open_file_limit();

  totals out;
  const auto start = steady::now() + std::chrono::milliseconds(500);
  const auto end = start + std::chrono::milliseconds(static_cast<int>(duration_s * 1000));
  const auto period = std::chrono::milliseconds(static_cast<int>(period_s * 1000));
  std::vector<std::thread> threads;
  for (int u = 0; u < users; ++u)
    threads.emplace_back(run_user, u, host, port, secret, start, end, period, std::ref(out));
  for (auto& t : threads) t.join();

  auto ms = [](double us) { return us / 1000.0; };
  std::cout << "writes " << out.writes << "  delivered " << out.e2e.count() << "  lost " << out.lost
            << "  errors " << out.errors << "\n";
  std::cout << "e2e ms   p50 " << ms(out.e2e.quantile_us(0.5)) << "  p95 "
            << ms(out.e2e.quantile_us(0.95)) << "  p99 " << ms(out.e2e.quantile_us(0.99))
            << "  max " << ms(out.e2e.max_us()) << "\n";
  std::cout << "http ms  p50 " << ms(out.http.quantile_us(0.5)) << "  p95 "
            << ms(out.http.quantile_us(0.95)) << "  p99 " << ms(out.http.quantile_us(0.99)) << "\n";
  return out.lost == 0 && out.errors == 0 ? 0 : 1;
}
