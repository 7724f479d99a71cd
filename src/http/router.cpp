#include "http/router.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "http/url.hpp"

namespace archibald {
namespace {

bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
}

http_response method_not_allowed(std::string_view allow) {
  http_response r = json_error(405, "Method not allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

}  // namespace

http_response json_error(unsigned status, std::string_view message) {
  http_response r;
  r.status = status;
  r.body = boost::json::serialize(boost::json::object{
      {"success", false}, {"error", boost::json::string_view{message.data(), message.size()}}});
  return r;
}

http_response router::dispatch(const http_request& req) const {
  const std::string_view path = split_target(req.target).path;
  const bool get = req.method == "GET" || req.method == "HEAD";

  if (path == "/health/live") return get ? handle_live(ctx_) : method_not_allowed("GET");
  if (path == "/health/ready") return get ? handle_ready(ctx_) : method_not_allowed("GET");
  if (path == "/metrics") return get ? handle_metrics(ctx_) : method_not_allowed("GET");
  if (path == "/api/websocket/health" || path == "/api/websocket/stats")
    return get ? handle_websocket_health(req, ctx_) : method_not_allowed("GET");
  if (path == "/api/realtime/publish")
    return req.method == "POST" ? handle_publish(req, ctx_) : method_not_allowed("POST");
  if (path == "/ws/realtime") return json_error(426, "WebSocket upgrade required");
  return json_error(404, "Not found");
}

http_response router::handle(const http_request& req) const {
  add(ctx_.metrics.http_requests);
  const bool cors = !req.origin.empty() && origin_allowed(ctx_.config.cors_origins, req.origin);

  http_response response;
  if (req.method == "OPTIONS") {
    response.status = 204;
    response.content_type.clear();
    if (cors) {
      response.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
      response.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
      response.headers.emplace_back("Access-Control-Max-Age", "600");
    }
  } else {
    response = dispatch(req);
  }
  if (cors) {
    response.headers.emplace_back("Access-Control-Allow-Origin", std::string(req.origin));
    response.headers.emplace_back("Vary", "Origin");
  }
  if (response.status >= 500) {
    add(ctx_.metrics.http_server_errors);
  } else if (response.status >= 400) {
    add(ctx_.metrics.http_client_errors);
  }
  return response;
}

}  // namespace archibald
