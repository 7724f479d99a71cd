// The TLS settings of every https:// / wss:// connection this process opens (--ca, --insecure),
// made once per process and shared by its threads.
#pragma once

#include "load/load_options.hpp"
#include "tls/tls_context.hpp"

namespace archibald::load {

// Null when the url is plain; else the process's context (check its error() once at start).
const tls_client_context* client_tls(const load_options& options, const endpoint_url& url);

}  // namespace archibald::load
