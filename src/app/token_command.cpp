#include "app/token_command.hpp"

#include <iostream>

#include "protocol/clock.hpp"
#include "protocol/duration.hpp"

namespace archibald {

int run_token_command(const token_request& request, const server_config& config) {
  const auto ttl = parse_duration(request.ttl);
  if (!ttl || ttl->count() <= 0) {
    std::cerr << "error: --ttl must be a positive duration such as 30m, 8h or 7d\n";
    return 2;
  }
  if (config.jwt_secret.empty()) {
    std::cerr << "error: JWT_SECRET must not be empty\n";
    return 2;
  }
  jwt_claims claims;
  claims.user_id = request.user_id;
  claims.username = request.username;
  claims.role = request.role == "admin"     ? user_role::admin
                : request.role == "service" ? user_role::service
                                            : user_role::agent;
  claims.device_id = request.device_id;
  claims.issued_at = epoch_s(wall_clock::now());
  claims.expires_at =
      claims.issued_at + std::chrono::duration_cast<std::chrono::seconds>(*ttl).count();
  std::cout << sign_jwt(claims, config.jwt_secret) << "\n";
  return 0;
}

}  // namespace archibald
