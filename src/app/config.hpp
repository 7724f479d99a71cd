// The command line and environment (DESIGN §4): every flag has an environment variable of the
// same meaning; --help documents them all. Used by main() only.
#pragma once

#include <optional>
#include <string>

#include "auth/jwt.hpp"
#include "protocol/server_config.hpp"

namespace archibald {

struct token_request {
  std::string user_id;
  std::string username;
  std::string role = "agent";
  std::string device_id;
  std::string ttl = "8h";
};

struct command_line {
  enum class command { serve, token };
  command what = command::serve;
  server_config server;
  token_request token;
};

// Fills `out` from argv and the environment. Returns an exit code when the process should stop
// here (--help, --version, a parse error: message already printed), nullopt to go on.
std::optional<int> parse_command_line(int argc, char** argv, command_line& out);

// Empty when the configuration is usable; otherwise what is wrong, for a start-up error.
std::string validate(const server_config& config);

}  // namespace archibald
