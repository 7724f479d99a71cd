#include "http/websocket_admission.hpp"

#include <algorithm>
#include <charconv>

#include "http/auth_guard.hpp"
#include "http/url.hpp"

namespace archibald {

websocket_admission admit_websocket(const http_request& req, const server_context& ctx) {
  websocket_admission a;
  const auto& allowed = ctx.config.allowed_origins;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), req.origin) == allowed.end()) {
    add(ctx.metrics.ws_rejected_origin);
    a.outcome = websocket_admission::verdict::refuse_http;
    a.http_status = 403;
    return a;
  }

  std::string token = query_param(req.target, "token").value_or("");
  if (token.empty()) token = std::string(bearer_token(req.authorization));
  const jwt_error error = token.empty()
                              ? jwt_error::malformed
                              : ctx.verifier.verify(token, epoch_s(wall_clock::now()), a.claims);
  if (error != jwt_error::none) {
    a.failure = token.empty() ? "no token" : to_string(error);
    add(ctx.metrics.auth_failures);
    a.outcome = websocket_admission::verdict::close_after_handshake;
    a.close_code = 1008;
    a.close_reason = "Authentication failed";
    return a;
  }

  a.device_id = query_param(req.target, "deviceId").value_or(a.claims.device_id);
  if (const auto seq = query_param(req.target, "lastSeq")) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(seq->data(), seq->data() + seq->size(), n);
    if (ec == std::errc{} && end == seq->data() + seq->size() && n >= 0) a.last_seq = n;
  }
  if (const auto ts = query_param(req.target, "lastEventTs")) a.last_event_ts = parse_iso8601(*ts);
  return a;
}

}  // namespace archibald
