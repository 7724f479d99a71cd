// archibald-realtime: parses the configuration, then serves or mints a token.
#include <iostream>

#include "app/config.hpp"
#include "app/server.hpp"
#include "app/token_command.hpp"

int main(int argc, char** argv) {
  using namespace archibald;
  command_line cmd;
  if (const auto exit_code = parse_command_line(argc, argv, cmd)) return *exit_code;
  if (cmd.what == command_line::command::token) return run_token_command(cmd.token, cmd.server);

  if (const std::string problem = validate(cmd.server); !problem.empty()) {
    std::cerr << "archibald-realtime: invalid configuration: " << problem << "\n";
    return 2;
  }
  return run_server(cmd.server);
}
