// A blocking one-request HTTP/1.1 client with a timeout, for tests and tools.
// Thread-safe: each call uses its own connection and event loop.
#pragma once

#include <chrono>
#include <cstdint>
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

http_result http_request(const std::string& host, std::uint16_t port, std::string_view method,
                         std::string_view target, std::string_view body = {},
                         const header_list& headers = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace archibald
