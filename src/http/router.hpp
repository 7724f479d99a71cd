// Maps an HTTP request to its route and answers it (DESIGN §2.3, §2.4): health, metrics,
// publish; CORS for browsers; JSON 404 / 405 for the rest. Stateless besides the context it
// is given: call handle() from any thread.
#pragma once

#include "http/http_types.hpp"
#include "http/server_context.hpp"

namespace archibald {

class router {
 public:
  explicit router(server_context ctx) : ctx_(ctx) {}

  http_response handle(const http_request& request) const;
  const server_context& context() const { return ctx_; }

 private:
  http_response dispatch(const http_request& request) const;
  server_context ctx_;
};

// Route handlers, one file per group; each is a pure function of the request and context.
http_response handle_live(const server_context& ctx);
http_response handle_ready(const server_context& ctx);
http_response handle_websocket_health(const http_request& request, const server_context& ctx);
http_response handle_metrics(const server_context& ctx);
http_response handle_publish(const http_request& request, const server_context& ctx);

}  // namespace archibald
