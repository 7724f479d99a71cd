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

  a.device_id = query_param(req.target, "deviceId").value_or("");
  if (const auto seq = query_param(req.target, "lastSeq")) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(seq->data(), seq->data() + seq->size(), n);
    if (ec == std::errc{} && end == seq->data() + seq->size() && n >= 0) a.last_seq = n;
  }
  if (const auto ts = query_param(req.target, "lastEventTs")) a.last_event_ts = parse_iso8601(*ts);

  const auto close_1008 = [&a](std::string_view failure, std::string reason) {
    a.failure = failure;
    a.outcome = websocket_admission::verdict::close_after_handshake;
    a.close_code = 1008;
    a.close_reason = std::move(reason);
    return a;
  };
  std::string token = query_param(req.target, "token").value_or("");
  if (!token.empty() && !ctx.config.allow_token_in_url) {
    add(ctx.metrics.auth_failures);
    return close_1008("token in the URL", "Token in URL not allowed");
  }
  if (token.empty()) token = std::string(bearer_token(req.authorization));
  if (token.empty()) {
    a.outcome = websocket_admission::verdict::await_auth;
    return a;
  }
  if (const jwt_error error = verify_connection_token(token, ctx, a.claims);
      error != jwt_error::none)
    return close_1008(to_string(error), "Authentication failed");
  if (a.device_id.empty()) a.device_id = a.claims.device_id;
  return a;
}

jwt_error verify_connection_token(std::string_view token, const server_context& ctx,
                                  jwt_claims& claims) {
  const jwt_error error = token.empty()
                              ? jwt_error::malformed
                              : ctx.verifier.verify(token, epoch_s(wall_clock::now()), claims);
  if (error != jwt_error::none) add(ctx.metrics.auth_failures);
  return error;
}

}  // namespace archibald
