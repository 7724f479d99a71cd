// The decision on a WebSocket upgrade to /ws/realtime (DESIGN §2.1, §2.2), as a pure function:
// refuse it over HTTP (bad Origin), or accept the handshake and then close it (bad token:
// 1008, as the original server did), or accept and register it, or — no token in the request —
// accept and wait for an AUTH message (protocol/auth_message.hpp). Any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/jwt.hpp"
#include "http/http_types.hpp"
#include "http/server_context.hpp"
#include "protocol/clock.hpp"

namespace archibald {

inline constexpr std::string_view websocket_path = "/ws/realtime";

struct websocket_admission {
  enum class verdict { accept, await_auth, close_after_handshake, refuse_http };
  verdict outcome = verdict::accept;
  unsigned http_status = 0;      // refuse_http
  std::uint16_t close_code = 0;  // close_after_handshake
  std::string close_reason;
  std::string_view failure;  // close_after_handshake: why, for the log ("expired", ...)

  jwt_claims claims;      // accept
  std::string device_id;  // the deviceId query parameter; empty: the token's
  std::optional<std::int64_t> last_seq;
  std::optional<wall_clock::time_point> last_event_ts;
};

// Token from ?token= (unless ALLOW_TOKEN_IN_URL=false) or "Authorization: Bearer"; Origin
// checked against ALLOWED_ORIGINS. Counts auth and origin failures in ctx.metrics.
websocket_admission admit_websocket(const http_request& request, const server_context& ctx);

// Verifies a token for a connection: jwt_error::none and the claims, or the failure counted.
jwt_error verify_connection_token(std::string_view token, const server_context& ctx,
                                  jwt_claims& claims);

}  // namespace archibald
