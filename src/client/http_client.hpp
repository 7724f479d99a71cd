// Blocking HTTP/1.1 clients with timeouts, for tests and tools.
// http_connection keeps one connection alive across requests (not thread-safe: one thread
// drives one connection). http_request() is a one-shot request on its own connection and is
// safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "client/ws_client.hpp"

namespace archibald {

struct http_result {
  int status = 0;  // 0: no response (see error)
  std::string body;
  std::string content_type;
  header_list headers;
  std::string error;
};

class http_connection {
 public:
  // tls: https:// with these settings (must outlive the connection); null: http://.
  http_connection(std::string host, std::uint16_t port, const tls_client_context* tls = nullptr);
  ~http_connection();
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;

  // Sends on the kept connection, (re)connecting first when there is none or the server has
  // closed it meanwhile. Never resends a request: a failure mid-exchange is returned as is.
  http_result request(std::string_view method, std::string_view target, std::string_view body = {},
                      const header_list& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(5),
                      bool keep_alive = true);
  // The local port of the current connection; 0 when not connected.
  std::uint16_t local_port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

http_result http_request(const std::string& host, std::uint16_t port, std::string_view method,
                         std::string_view target, std::string_view body = {},
                         const header_list& headers = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(5),
                         const tls_client_context* tls = nullptr);

}  // namespace archibald
