// The HTTP request and response as routes see them: plain data, no sockets, no Beast, so that
// every route is a pure function tests can call directly. The views in http_request point into
// the transport's buffers and are valid for the duration of one handle() call.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archibald {

struct http_request {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // path and query, as received
  std::string_view authorization;
  std::string_view origin;
  std::string_view body;
  // When the transport finished reading it (a write's stage timings start here).
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A JSON response from serialised JSON text.
http_response json_response(std::string body, unsigned status = 200);

// {"success": false, "error": message} with the given status.
http_response json_error(unsigned status, std::string_view message);

}  // namespace archibald
