#include "http/auth_guard.hpp"

#include <algorithm>

#include "protocol/clock.hpp"

namespace archibald {

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() <= scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), authorization.begin(),
                  [](char a, char b) { return a == b || (a | 0x20) == (b | 0x20); }))
    return {};
  std::string_view token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

std::optional<jwt_claims> authorize(const http_request& request, const server_context& ctx,
                                    std::initializer_list<user_role> roles, http_response& denied) {
  const std::string_view token = bearer_token(request.authorization);
  if (token.empty()) {
    add(ctx.metrics.auth_failures);
    denied = json_error(401, "Missing token");
    denied.headers.emplace_back("WWW-Authenticate", "Bearer");
    return std::nullopt;
  }
  jwt_claims claims;
  if (ctx.verifier.verify(token, epoch_s(wall_clock::now()), claims) != jwt_error::none) {
    add(ctx.metrics.auth_failures);
    denied = json_error(401, "Invalid token");
    denied.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return std::nullopt;
  }
  if (roles.size() > 0 && std::find(roles.begin(), roles.end(), claims.role) == roles.end()) {
    denied = json_error(403, "Forbidden");
    return std::nullopt;
  }
  return claims;
}

}  // namespace archibald
