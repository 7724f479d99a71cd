#include "auth/jwt.hpp"

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "auth/base64url.hpp"
#include "protocol/clock.hpp"

namespace archibald {
namespace {

using digest = std::array<unsigned char, 32>;

digest hmac_sha256(std::string_view key, std::string_view data) {
  digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

std::optional<boost::json::object> decode_json_object(std::string_view segment,
                                                      boost::json::storage_ptr storage) {
  auto bytes = base64url_decode(segment);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  auto value = boost::json::parse(*bytes, ec, std::move(storage));
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

// A NumericDate claim: absent → fallback; present but not a number → error.
bool read_numeric_date(const boost::json::object& obj, std::string_view name, std::int64_t& out) {
  const auto* v = obj.if_contains(name);
  if (!v) return true;
  if (v->is_int64()) {
    out = v->get_int64();
  } else if (v->is_uint64()) {
    out = static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), INT64_MAX));
  } else if (v->is_double()) {
    out = static_cast<std::int64_t>(v->get_double());
  } else {
    return false;
  }
  return true;
}

std::string optional_string(const boost::json::object& obj, std::string_view name) {
  const auto* v = obj.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::string_view to_string(user_role role) {
  switch (role) {
    case user_role::admin:
      return "admin";
    case user_role::service:
      return "service";
    case user_role::agent:
      break;
  }
  return "agent";
}

std::string_view to_string(jwt_error error) {
  switch (error) {
    case jwt_error::none:
      return "ok";
    case jwt_error::malformed:
      return "malformed token";
    case jwt_error::bad_algorithm:
      return "algorithm not allowed";
    case jwt_error::bad_signature:
      return "bad signature";
    case jwt_error::expired:
      return "token expired";
    case jwt_error::not_yet_valid:
      return "token not yet valid";
    case jwt_error::missing_user_id:
      return "token without userId";
  }
  return "invalid token";
}

user_role parse_role(std::string_view text) {
  if (text == "admin") return user_role::admin;
  if (text == "service") return user_role::service;
  return user_role::agent;
}

jwt_verifier::jwt_verifier(std::string secret, std::chrono::seconds leeway)
    : jwt_verifier(std::vector<std::string>{std::move(secret)}, leeway) {}

jwt_verifier::jwt_verifier(std::vector<std::string> secrets, std::chrono::seconds leeway)
    : secrets_(std::move(secrets)),
      verifications_(std::make_unique<std::atomic<std::uint64_t>[]>(secrets_.size())),
      leeway_s_(leeway.count()) {}

std::vector<std::uint64_t> jwt_verifier::verifications_by_secret() const {
  std::vector<std::uint64_t> out(secrets_.size());
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = verifications_[i].load(std::memory_order_relaxed);
  return out;
}

jwt_error jwt_verifier::verify(std::string_view token, std::int64_t now_s, jwt_claims& out) const {
  {
    std::lock_guard lock(cache_mutex_);
    if (const auto hit = cache_.find(token); hit != cache_.end()) {
      const jwt_error e = check_time(hit->second, now_s);
      if (e == jwt_error::none) {
        out = hit->second.claims;
        count(hit->second);
      }
      return e;
    }
  }
  verified v;
  if (const jwt_error e = check(token, v); e != jwt_error::none) return e;
  const jwt_error e = check_time(v, now_s);
  if (e == jwt_error::none) {
    out = v.claims;
    count(v);
  }
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= cache_capacity) cache_.clear();  // bounded; the busy tokens come back
  cache_.emplace(token, std::move(v));
  return e;
}

jwt_error jwt_verifier::check_time(const verified& v, std::int64_t now_s) const {
  if (v.exp && now_s > *v.exp + leeway_s_) return jwt_error::expired;
  if (v.nbf && now_s < *v.nbf - leeway_s_) return jwt_error::not_yet_valid;
  return jwt_error::none;
}

jwt_error jwt_verifier::check(std::string_view token, verified& result) const {
  jwt_claims& out = result.claims;
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return jwt_error::malformed;
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return jwt_error::malformed;

  // The header and claims are read only here: parsed into an arena on this stack.
  unsigned char buffer[2048];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  const auto header = decode_json_object(token.substr(0, dot1), &arena);
  if (!header) return jwt_error::malformed;
  const auto* alg = header->if_contains("alg");
  if (!alg || !alg->is_string() || alg->get_string() != "HS256") return jwt_error::bad_algorithm;

  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature) return jwt_error::malformed;
  const auto signed_by = [&](const std::string& secret) {
    const digest expected = hmac_sha256(secret, token.substr(0, dot2));
    return signature->size() == expected.size() &&
           CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) == 0;
  };
  const auto match = std::find_if(secrets_.begin(), secrets_.end(), signed_by);
  if (match == secrets_.end()) return jwt_error::bad_signature;
  result.secret = static_cast<std::size_t>(match - secrets_.begin());

  const auto payload = decode_json_object(token.substr(dot1 + 1, dot2 - dot1 - 1), &arena);
  if (!payload) return jwt_error::malformed;

  std::int64_t exp = 0, nbf = 0, iat = 0;
  if (!read_numeric_date(*payload, "exp", exp) || !read_numeric_date(*payload, "nbf", nbf) ||
      !read_numeric_date(*payload, "iat", iat))
    return jwt_error::malformed;
  if (payload->contains("exp")) result.exp = exp;
  if (payload->contains("nbf")) result.nbf = nbf;

  const auto* user = payload->if_contains("userId");
  if (!user) return jwt_error::missing_user_id;
  if (user->is_string()) {
    out.user_id = user->get_string();
  } else if (user->is_int64() || user->is_uint64()) {
    out.user_id = boost::json::serialize(*user);
  } else {
    return jwt_error::missing_user_id;
  }
  if (out.user_id.empty()) return jwt_error::missing_user_id;

  out.username = optional_string(*payload, "username");
  out.device_id = optional_string(*payload, "deviceId");
  out.role = parse_role(optional_string(*payload, "role"));
  out.issued_at = iat;
  out.expires_at = exp;
  return jwt_error::none;
}

std::string sign_jwt_raw(std::string_view header_json, std::string_view payload_json,
                         std::string_view secret) {
  std::string token = base64url_encode(header_json);
  token += '.';
  token += base64url_encode(payload_json);
  const digest sig = hmac_sha256(secret, token);
  token += '.';
  token += base64url_encode({reinterpret_cast<const char*>(sig.data()), sig.size()});
  return token;
}

std::string issue_token(std::string_view secret, std::string user_id, user_role role,
                        std::string device_id, std::chrono::seconds ttl, std::string username) {
  jwt_claims claims;
  claims.user_id = std::move(user_id);
  claims.username = std::move(username);
  claims.role = role;
  claims.device_id = std::move(device_id);
  claims.issued_at = epoch_s(wall_clock::now());
  claims.expires_at = claims.issued_at + ttl.count();
  return sign_jwt(claims, secret);
}

std::string sign_jwt(const jwt_claims& claims, std::string_view secret) {
  boost::json::object payload;
  payload["userId"] = claims.user_id;
  if (!claims.username.empty()) payload["username"] = claims.username;
  payload["role"] = to_string(claims.role);
  if (!claims.device_id.empty()) payload["deviceId"] = claims.device_id;
  if (claims.issued_at) payload["iat"] = claims.issued_at;
  if (claims.expires_at) payload["exp"] = claims.expires_at;
  return sign_jwt_raw(R"({"alg":"HS256","typ":"JWT"})", boost::json::serialize(payload), secret);
}

}  // namespace archibald
