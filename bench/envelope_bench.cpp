// Serialising an event once per broadcast, and parsing one (the client side).
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>

#include "protocol/clock.hpp"
#include "protocol/envelope.hpp"

namespace archibald {
namespace {

// The DRAFT_CREATED payload of the protocol examples, with `items` draft lines.
boost::json::value draft_payload(int items) {
  std::string json = R"({"draftId":"dr-5b2c","draft":{"id":"dr-5b2c","customerId":"C-0042",)"
                     R"("customerName":"Ferramenta Bianchi Srl","items":[)";
  for (int i = 0; i < items; ++i) {
    if (i) json += ',';
    json += R"({"productId":"P-77","productName":"Vite autofilettante 4x30","article":"VA430",)"
            R"("variantId":"V-1","quantity":12,"packageContent":"100 pz"})";
  }
  json += R"(],"createdAt":1764150123456,"updatedAt":1764150123456,"deviceId":"tablet-7f3a"},)"
          R"("timestamp":"2026-11-26T09:42:03.456Z","deviceId":"tablet-7f3a"})";
  return boost::json::parse(json);
}

void BM_SerializeEnvelope(benchmark::State& state) {
  const boost::json::value payload = draft_payload(static_cast<int>(state.range(0)));
  const std::string timestamp = iso8601_utc_ms(wall_clock::now());
  std::size_t bytes = 0;
  for (auto _ : state) {
    shared_message m = share(serialize_envelope(
        {.type = "DRAFT_CREATED", .payload = payload, .timestamp = timestamp, .seq = 42}));
    bytes += m->size();
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_SerializeEnvelope)->Arg(1)->Arg(10)->Arg(100);

void BM_ParseEnvelope(benchmark::State& state) {
  const std::string text = serialize_envelope({.type = "DRAFT_CREATED",
                                               .payload = draft_payload(10),
                                               .timestamp = "2026-11-26T09:42:03.458Z",
                                               .seq = 42});
  for (auto _ : state) benchmark::DoNotOptimize(parse_envelope(text));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseEnvelope);

void BM_IsoTimestamp(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(iso8601_utc_ms(wall_clock::now()));
}
BENCHMARK(BM_IsoTimestamp);

}  // namespace
}  // namespace archibald
