// JWT verification (header, payload, signature) on arbitrary tokens, and base64url decoding.
#include "auth/base64url.hpp"
#include "auth/jwt.hpp"
#include "fuzz_input.hpp"

using namespace archibald;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view token = fuzz::text(data, size);
  static const jwt_verifier verifier("fuzz-secret");
  jwt_claims claims;
  // A fixed "now" inside the seed tokens' lifetime, so accepted tokens stay reachable.
  if (verifier.verify(token, 1'800'000'000, claims) == jwt_error::none)
    fuzz::require(!claims.user_id.empty(), "an accepted token has a userId");
  if (const auto decoded = base64url_decode(token))
    fuzz::require(decoded->size() <= token.size(), "base64url never grows");
  return 0;
}
