// Maps an HTTP request to its route and answers it (DESIGN §2.3, §2.4): health, metrics,
// publish, the sync collections, the /admin and /demo pages; CORS for browsers; JSON 404 /
// 405 for the rest. Stateless
// besides the context it is given: call handle() from any thread.
#pragma once

#include <functional>

#include "http/http_types.hpp"
#include "http/server_context.hpp"

namespace archibald {

// Receives the response exactly once, on any thread (storage-backed routes answer from the
// storage thread). The request's views are valid only until handle() returns: a route that
// answers later copies what it needs first.
using http_responder = std::function<void(http_response)>;

class router {
 public:
  explicit router(server_context ctx) : ctx_(ctx) {}

  void handle(const http_request& request, http_responder respond) const;
  const server_context& context() const { return ctx_; }

 private:
  void dispatch(const http_request& request, http_responder respond) const;
  server_context ctx_;
};

// Route handlers, one file per group; each is a pure function of the request and context.
http_response handle_live(const server_context& ctx);
http_response handle_ready(const server_context& ctx);
http_response handle_websocket_health(const http_request& request, const server_context& ctx);
http_response handle_metrics(const server_context& ctx);
// This node in a few numbers (its heartbeat row and its entry of the health's "cluster").
std::string node_summary_json(const server_context& ctx);
void handle_publish(const http_request& request, const server_context& ctx, http_responder respond);
// /api/sync/<collection>[/<id>]: GET list, POST batch, DELETE one.
void handle_sync(const http_request& request, const server_context& ctx, std::string_view rest,
                 http_responder respond);

// The response for a storage failure: 503, and readiness follows the store.
http_response storage_error(store_status status);

}  // namespace archibald
