// JWT verification (every WebSocket handshake and REST call) and signing (the load tool).
#include <benchmark/benchmark.h>

#include "auth/jwt.hpp"
#include "protocol/clock.hpp"

namespace archibald {
namespace {

jwt_claims sample_claims() {
  jwt_claims c;
  c.user_id = "u-1001";
  c.username = "mario.rossi";
  c.device_id = "tablet-7f3a";
  c.issued_at = epoch_s(wall_clock::now());
  c.expires_at = c.issued_at + 8 * 3600;
  return c;
}

void BM_JwtVerify(benchmark::State& state) {
  const jwt_verifier verifier("bench-secret-0123456789abcdef");
  const std::string token = sign_jwt(sample_claims(), "bench-secret-0123456789abcdef");
  const std::int64_t now = epoch_s(wall_clock::now());
  for (auto _ : state) {
    jwt_claims out;
    benchmark::DoNotOptimize(verifier.verify(token, now, out));
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JwtVerify);

void BM_JwtVerifyBadSignature(benchmark::State& state) {
  const jwt_verifier verifier("bench-secret-0123456789abcdef");
  const std::string token = sign_jwt(sample_claims(), "another-secret");
  const std::int64_t now = epoch_s(wall_clock::now());
  for (auto _ : state) {
    jwt_claims out;
    benchmark::DoNotOptimize(verifier.verify(token, now, out));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JwtVerifyBadSignature);

void BM_JwtSign(benchmark::State& state) {
  const jwt_claims claims = sample_claims();
  for (auto _ : state) benchmark::DoNotOptimize(sign_jwt(claims, "bench-secret-0123456789abcdef"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JwtSign);

}  // namespace
}  // namespace archibald
