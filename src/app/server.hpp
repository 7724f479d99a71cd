// Wires the server's objects together from a validated configuration and runs it until
// SIGTERM / SIGINT. Returns the process exit code.
#pragma once

#include "protocol/server_config.hpp"

namespace archibald {

int run_server(const server_config& config);

}  // namespace archibald
