// `archibald-realtime token`: mints a development token signed with the configured secret.
#pragma once

#include "app/config.hpp"

namespace archibald {

int run_token_command(const token_request& request, const server_config& config);

}  // namespace archibald
