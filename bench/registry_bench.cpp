// The registry's share of a fan-out: find the user's connections and hand each the one buffer.
// Connections here only count (no I/O), so this is the lookup + copy + dispatch cost alone.
#include <benchmark/benchmark.h>

#include <atomic>

#include "fanout/connection_registry.hpp"

namespace archibald {
namespace {

struct counting_connection final : connection {
  std::atomic<std::uint64_t> received{0};
  send_result send(const shared_message&) override {
    received.fetch_add(1, std::memory_order_relaxed);
    return send_result::queued;
  }
  void close(std::uint16_t, std::string_view) override {}
  void heartbeat() override {}
};

// One user with N devices among 10,000 other users with 2 devices each.
void BM_RegistrySendToUser(benchmark::State& state) {
  const auto devices = static_cast<std::size_t>(state.range(0));
  connection_registry registry({.max_total = 1'000'000, .max_per_user = devices});
  std::vector<std::shared_ptr<counting_connection>> all;
  bool again = false;
  for (int u = 0; u < 10'000; ++u)
    for (int d = 0; d < 2; ++d) {
      all.push_back(std::make_shared<counting_connection>());
      registry.add("user-" + std::to_string(u), all.back(), again);
    }
  for (std::size_t d = 0; d < devices; ++d) {
    all.push_back(std::make_shared<counting_connection>());
    registry.add("target", all.back(), again);
  }
  const shared_message message = share(std::string(400, 'x'));
  for (auto _ : state) benchmark::DoNotOptimize(registry.send_to_user("target", message));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(devices));
  state.counters["deliveries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * devices), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RegistrySendToUser)->Arg(2)->Arg(10)->Arg(32);

void BM_RegistrySendToAll(benchmark::State& state) {
  const auto users = static_cast<int>(state.range(0));
  connection_registry registry({.max_total = 1'000'000, .max_per_user = 32});
  std::vector<std::shared_ptr<counting_connection>> all;
  bool again = false;
  for (int u = 0; u < users; ++u)
    for (int d = 0; d < 2; ++d) {
      all.push_back(std::make_shared<counting_connection>());
      registry.add("user-" + std::to_string(u), all.back(), again);
    }
  const shared_message message = share(std::string(400, 'x'));
  for (auto _ : state) benchmark::DoNotOptimize(registry.send_to_all(message));
  state.SetItemsProcessed(state.iterations() * users * 2);
}
BENCHMARK(BM_RegistrySendToAll)->Arg(1000)->Arg(9000);

}  // namespace
}  // namespace archibald
