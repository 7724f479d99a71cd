#include "app/token_command.hpp"

#include <iostream>

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
  std::cout << issue_token(config.jwt_secret, request.user_id, parse_role(request.role),
                           request.device_id,
                           std::chrono::duration_cast<std::chrono::seconds>(*ttl), request.username)
            << "\n";
  return 0;
}

}  // namespace archibald
