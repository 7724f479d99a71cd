#include "http/router.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "http/url.hpp"
#include "http/web_assets.hpp"
#include "sync/write_request.hpp"

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

http_response json_response(std::string body, unsigned status) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

http_response json_error(unsigned status, std::string_view message) {
  return json_response(
      boost::json::serialize(boost::json::object{
          {"success", false}, {"error", boost::json::string_view{message.data(), message.size()}}}),
      status);
}

void router::dispatch(const http_request& req, http_responder respond) const {
  const auto target = parse_target(req.target);
  if (!target) return respond(json_error(400, "Malformed request target"));
  const std::string_view path = target->path;
  const bool get = req.method == "GET" || req.method == "HEAD";
  constexpr std::string_view sync_prefix = "/api/sync/";

  if (path == "/health/live") return respond(get ? handle_live(ctx_) : method_not_allowed("GET"));
  if (path == "/health/ready") return respond(get ? handle_ready(ctx_) : method_not_allowed("GET"));
  if (path == "/metrics") return respond(get ? handle_metrics(ctx_) : method_not_allowed("GET"));
  if (path == "/api/websocket/health" || path == "/api/websocket/stats")
    return respond(get ? handle_websocket_health(req, ctx_) : method_not_allowed("GET"));
  if (path == "/api/realtime/publish") {
    if (req.method != "POST") return respond(method_not_allowed("POST"));
    return handle_publish(req, ctx_, std::move(respond));
  }
  if (path.substr(0, sync_prefix.size()) == sync_prefix)
    return handle_sync(req, ctx_, path.substr(sync_prefix.size()), std::move(respond));
  if (path == "/ws/realtime") return respond(json_error(426, "WebSocket upgrade required"));
  if (auto page = handle_web_asset(path))
    return respond(get ? std::move(*page) : method_not_allowed("GET"));
  respond(json_error(404, "Not found"));
}

void router::handle(const http_request& req, http_responder respond) const {
  add(ctx_.metrics.http_requests);
  const bool cors = !req.origin.empty() && origin_allowed(ctx_.config.cors_origins, req.origin);
  auto finish = [cors, origin = cors ? std::string(req.origin) : std::string(),
                 respond = std::move(respond)](http_response response) {
    if (cors) {
      response.headers.emplace_back("Access-Control-Allow-Origin", origin);
      response.headers.emplace_back("Vary", "Origin");
    }
    respond(std::move(response));
  };
  if (req.method != "OPTIONS") return dispatch(req, std::move(finish));

  http_response preflight;
  preflight.status = 204;
  preflight.content_type.clear();
  if (cors) {
    preflight.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
    preflight.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
    preflight.headers.emplace_back("Access-Control-Max-Age", "600");
  }
  finish(std::move(preflight));
}

http_response storage_error(store_status status) {
  http_response r = json_error(503, storage_error_text(status));
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace archibald
