// What the server's port speaks besides plain HTTP (TLS_CERT / TLS_MODE).
#pragma once

namespace archibald {

class tls_server_context;

struct tls_port {
  const tls_server_context* context = nullptr;  // null: plain only
  bool flex = false;                            // TLS and plain (else TLS only)
};

}  // namespace archibald
