// The authentication half of websocket_session: a connection opened without a token sends
// {"type":"AUTH","token":…} within HANDSHAKE_TIMEOUT_MS, before anything is delivered to it;
// later AUTH messages refresh the token (same userId); with WS_ENFORCE_TOKEN_EXPIRY a token
// that expires unrefreshed closes the connection. Loop-only, like the rest of the session.
#include <spdlog/spdlog.h>

#include "net/websocket_session.hpp"
#include "protocol/auth_message.hpp"
#include "protocol/clock.hpp"

namespace archibald {

namespace asio = boost::asio;

void websocket_session::start_auth_deadline() {
  auth_timer_ = std::make_unique<asio::steady_timer>(ws_.get_executor());
  auth_timer_->expires_after(ctx_.config.handshake_timeout);
  auth_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || !self->pending_auth_) return;
    add(self->ctx_.metrics.auth_failures);
    spdlog::debug("websocket authentication failed (no AUTH message in time)");
    self->start_close(1008, "Authentication failed");
  });
}

void websocket_session::on_first_message(std::string_view text) {
  const std::unique_ptr<websocket_admission> admission = std::move(pending_auth_);
  auth_timer_->cancel();
  const auto token = ws_.got_text() ? parse_auth_message(text) : std::nullopt;
  jwt_claims claims;
  if (const jwt_error error = verify_connection_token(token.value_or(""), ctx_, claims);
      error != jwt_error::none) {
    spdlog::debug("websocket authentication failed ({})",
                  token ? to_string(error) : "first message is not AUTH");
    return start_close(1008, "Authentication failed");
  }
  const std::int64_t expires_at = claims.expires_at;
  admit(std::move(claims), *admission);
  if (close_started_) return;
  send_auth_ok(expires_at);
  if (outbound_.holding()) fetch_replay_page();
}

void websocket_session::on_refresh(std::string_view token) {
  jwt_claims claims;
  if (const jwt_error error = verify_connection_token(token, ctx_, claims);
      error != jwt_error::none) {
    spdlog::debug("websocket token refresh failed ({}) for user {}", to_string(error), user_id_);
    return start_close(1008, "Authentication failed");
  }
  if (claims.user_id != user_id_) {
    add(ctx_.metrics.auth_failures);
    spdlog::debug("websocket token refresh for user {} carried user {}", user_id_, claims.user_id);
    return start_close(1008, "Token is for another user");
  }
  watch_expiry(claims.expires_at);
  send_auth_ok(claims.expires_at);
}

void websocket_session::send_auth_ok(std::int64_t expires_at) {
  push_now(share(auth_ok_message(expires_at, iso8601_utc_ms(wall_clock::now()))));
}

void websocket_session::watch_expiry(std::int64_t expires_at) {
  if (!ctx_.config.enforce_token_expiry) return;
  if (!auth_timer_) auth_timer_ = std::make_unique<asio::steady_timer>(ws_.get_executor());
  if (expires_at == 0) {  // a token without exp never expires
    auth_timer_->cancel();
    return;
  }
  // The moment the token's exp passes (a refresh moves it).
  auth_timer_->expires_at(
      asio::steady_timer::clock_type::now() +
      (wall_clock::time_point{std::chrono::seconds(expires_at)} - wall_clock::now()));
  auth_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    add(self->ctx_.metrics.token_expiry_closes);
    self->start_close(1008, "Token expired");
  });
}

}  // namespace archibald
