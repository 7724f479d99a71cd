// JSON Web Tokens as Archibald uses them (DESIGN §2.1): HS256 only, the algorithm pinned so
// "alg": "none" and every other algorithm are refused, exp / nbf honoured with a leeway.
// jwt_verifier is safe to share between threads. It remembers the tokens it verified (a
// bounded cache, keyed by the whole token): a client sends the same token with every request,
// and checking its signature and parsing its JSON again was 13 % of the server's instructions
// per REST write. A remembered token is still checked against exp / nbf on every use.
//
// Secret rotation: the verifier holds the current secret and any previous ones; a token signed
// with any of them is accepted (new tokens are signed with the current one only), and it counts
// the verifications each secret passed, so an operator sees when no client uses an old one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/string_map.hpp"

namespace archibald {

enum class user_role { agent, admin, service };

std::string_view to_string(user_role role);
// "admin" / "service" → that role; anything else → agent, the least privilege.
user_role parse_role(std::string_view text);

struct jwt_claims {
  std::string user_id;  // required; a number in the token is kept as its decimal text
  std::string username;
  user_role role = user_role::agent;  // absent or unknown: agent, the least privilege
  std::string device_id;              // optional
  std::int64_t issued_at = 0;         // iat, seconds since the epoch; 0 when absent
  std::int64_t expires_at = 0;        // exp; 0 when absent (never expires)
};

enum class jwt_error {
  none,
  malformed,      // not three base64url segments of JSON objects
  bad_algorithm,  // header alg is not HS256
  bad_signature,
  expired,          // now > exp + leeway
  not_yet_valid,    // now < nbf - leeway
  missing_user_id,  // no usable userId claim
};

std::string_view to_string(jwt_error error);

class jwt_verifier {
 public:
  explicit jwt_verifier(std::string secret, std::chrono::seconds leeway = std::chrono::seconds{30});
  // secrets: the current one first, then the previous ones (at least one).
  explicit jwt_verifier(std::vector<std::string> secrets,
                        std::chrono::seconds leeway = std::chrono::seconds{30});

  // now_s: seconds since the epoch. On jwt_error::none, out holds the claims.
  jwt_error verify(std::string_view token, std::int64_t now_s, jwt_claims& out) const;

  // Successful verifications (remembered tokens included) by the secret that signed the
  // token, in the constructor's order: [0] the current secret, [1..] the previous ones.
  std::vector<std::uint64_t> verifications_by_secret() const;

  static constexpr std::size_t cache_capacity = 4096;  // tokens remembered; then forgotten

 private:
  struct verified {
    jwt_claims claims;
    std::optional<std::int64_t> exp, nbf;
    std::size_t secret = 0;  // index into secrets_ of the one that signed it
  };
  // The signature and claims check, without the cache.
  jwt_error check(std::string_view token, verified& out) const;
  jwt_error check_time(const verified& v, std::int64_t now_s) const;

  void count(const verified& v) const {
    verifications_[v.secret].fetch_add(1, std::memory_order_relaxed);
  }

  std::vector<std::string> secrets_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> verifications_;  // one per secret
  std::int64_t leeway_s_;
  mutable std::mutex cache_mutex_;
  mutable string_map<verified> cache_;  // GUARDED_BY(cache_mutex_)
};

// Signs claims as an HS256 token. Used by the token subcommand, the tests and the load tool.
std::string sign_jwt(const jwt_claims& claims, std::string_view secret);

// A token issued now and valid for `ttl`: what the token subcommand, the tests and the tools
// hand out.
std::string issue_token(std::string_view secret, std::string user_id,
                        user_role role = user_role::agent, std::string device_id = {},
                        std::chrono::seconds ttl = std::chrono::hours(8),
                        std::string username = {});

// Signs arbitrary header and payload JSON (tests build hostile tokens with it).
std::string sign_jwt_raw(std::string_view header_json, std::string_view payload_json,
                         std::string_view secret);

}  // namespace archibald
