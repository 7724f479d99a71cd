// Fan-out through the real server path: an event is serialised once, queued on N WebSocket
// sessions (registry → session strand → async_write) and read back by N loopback clients in
// this process. The clients' own parsing shares the same two cores, so the figure is a floor
// for what the server alone sustains; archibald-load measures it across processes.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <thread>

#include "client/ws_client.hpp"
#include "net/realtime_server.hpp"
#include "protocol/clock.hpp"
#include "store/sqlite_store.hpp"

namespace archibald {
namespace {

constexpr const char* secret = "fanout-bench-secret";

struct in_process_server {
  server_config config = [] {
    server_config c;
    c.host = "127.0.0.1";
    c.port = 0;
    c.jwt_secret = secret;
    c.threads = 1;
    c.heartbeat_interval = std::chrono::hours(1);
    return c;
  }();
  jwt_verifier verifier{config.jwt_secret};
  connection_registry registry{{.max_total = 100'000, .max_per_user = 10'000}};
  server_metrics metrics;
  lifecycle life;
  sqlite_store store{{.path = "/tmp/archibald-fanout-bench/bench.db", .full_sync = false}};
  sync_service sync{store, registry, metrics};
  router routes{server_context{config, verifier, registry, metrics, life, sync}};
  realtime_server server{routes, 10'000, config.threads};
  std::thread thread;

  in_process_server() {
    std::string error;
    if (!server.listen(error)) throw std::runtime_error(error);
    thread = std::thread([this] { server.run(); });
  }
  ~in_process_server() {
    server.shutdown();
    thread.join();
    store.stop();
    std::filesystem::remove_all("/tmp/archibald-fanout-bench");
  }
};

void BM_WebSocketFanout(benchmark::State& state) {
  const auto devices = static_cast<std::size_t>(state.range(0));
  constexpr int batch = 50;
  in_process_server s;
  jwt_claims claims;
  claims.user_id = "bench-user";
  const std::string token = sign_jwt(claims, secret);
  std::vector<std::unique_ptr<ws_client>> clients;
  for (std::size_t i = 0; i < devices; ++i) {
    clients.push_back(std::make_unique<ws_client>());
    const std::string error =
        clients.back()->connect("127.0.0.1", s.server.port(), "/ws/realtime?token=" + token);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  const boost::json::value payload = boost::json::object{
      {"draftId", "dr-5b2c"}, {"customerName", "Ferramenta Bianchi Srl"}, {"items", 12}};
  const std::string timestamp = iso8601_utc_ms(wall_clock::now());

  std::int64_t delivered = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      const shared_message m = share(serialize_envelope(
          {.type = "DRAFT_UPDATED", .payload = payload, .timestamp = timestamp}));
      s.registry.send_to_user("bench-user", m);
    }
    for (auto& c : clients)
      for (int i = 0; i < batch; ++i) {
        if (c->read(std::chrono::seconds(5)).what != ws_event::kind::message) {
          state.SkipWithError("a delivery did not arrive");
          return;
        }
        ++delivered;
      }
  }
  state.SetItemsProcessed(delivered);
  state.counters["deliveries/s"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_WebSocketFanout)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace archibald

BENCHMARK_MAIN();
