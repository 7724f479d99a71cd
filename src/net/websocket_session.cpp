#include "net/websocket_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "protocol/clock.hpp"
#include "protocol/utf8.hpp"

namespace archibald {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

namespace {

const shared_message pong_message = share("pong");

// Ends of a connection that are normal and not worth a log line.
bool is_normal_end(beast::error_code ec) {
  return ec == websocket::error::closed || ec == asio::error::operation_aborted ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == beast::error::timeout;
}

}  // namespace

websocket_session::websocket_session(lingering_stream&& socket, const server_context& ctx,
                                     socket_slot slot)
    : ws_(std::move(socket)),
      ctx_(ctx),
      mailbox_(asio::use_service<delivery_mailbox>(
          asio::query(ws_.get_executor(), asio::execution::context))),
      slot_(std::move(slot)),
      outbound_(ctx.config.max_outbound_bytes),
      rate_tokens_(ctx.config.ws_rate_burst),
      rate_refilled_(clock::now()) {
  ctx_.life.open_websockets.fetch_add(1, std::memory_order_relaxed);
}

websocket_session::~websocket_session() {
  ctx_.life.open_websockets.fetch_sub(1, std::memory_order_relaxed);
}

void websocket_session::run(beast::http::request<beast::http::string_body> request,
                            websocket_admission admission) {
  ws_.set_option(websocket::stream_base::timeout{ctx_.config.handshake_timeout,
                                                 websocket::stream_base::none(), false});
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "archibald-realtime");
  }));
  ws_.read_message_max(ctx_.config.max_message_bytes);
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) on_pong();
  });
  // The teardown runs inside an operation that holds this session alive.
  ws_.next_layer().on_teardown = [this] { unregister(); };

  switch (admission.outcome) {
    case websocket_admission::verdict::accept:
      admit(std::move(admission.claims), admission);
      break;
    case websocket_admission::verdict::await_auth:
      pending_auth_ = std::make_unique<websocket_admission>(std::move(admission));
      break;
    default:
      start_close(admission.close_code, std::move(admission.close_reason));
  }
  ws_.async_accept(request,
                   beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
}

void websocket_session::admit(jwt_claims claims, const websocket_admission& admission) {
  user_id_ = std::move(claims.user_id);
  device_id_ = admission.device_id.empty() ? std::move(claims.device_id) : admission.device_id;
  watch_expiry(claims.expires_at);
  // Live events are held back from the moment of registration until the replay is out.
  const bool resumes = admission.last_seq || admission.last_event_ts;
  if (resumes || ctx_.sync.joins_with_replay(user_id_)) outbound_.hold();
  if (resumes) {
    replayed_seq_ = admission.last_seq.value_or(0);
    requested_seq_ = admission.last_seq;
    if (admission.last_event_ts && !admission.last_seq)  // lastSeq is the exact one
      replay_after_ms_ = epoch_ms(*admission.last_event_ts);
    add(ctx_.metrics.replays);
  }
  bool reconnection = false;
  switch (ctx_.registry.add(user_id_, shared_from_this(), reconnection)) {
    case admission::admitted:
      registered_ = true;
      add(ctx_.metrics.ws_accepted);
      if (reconnection) add(ctx_.metrics.reconnections);
      if (!resumes && outbound_.holding()) join_replay();
      break;
    case admission::over_total:
      add(ctx_.metrics.ws_rejected_capacity);
      start_close(1013, "Server at connection capacity");
      break;
    case admission::over_user:
      add(ctx_.metrics.ws_rejected_capacity);
      start_close(1013, "Too many connections for this user");
      break;
  }
}

void websocket_session::on_accept(beast::error_code ec) {
  if (ec == websocket::condition::handshake_failed) {
    ctx_.metrics.record_http_response(400);  // Beast answered the bad upgrade request
    spdlog::debug("http 400 to a websocket upgrade: {}", ec.message());
  }
  if (ec) return on_end(ec);
  ctx_.metrics.record_http_response(101);
  accepted_ = true;
  if (close_started_) {
    send_close_frame();
  } else if (pending_auth_) {
    start_auth_deadline();
  } else if (outbound_.holding()) {
    fetch_replay_page();
  } else if (!outbound_.writing() && outbound_.has_unwritten()) {
    do_write();
  }
  do_read();
}

// ---------------------------------------------------------------- reading --------------

// An idle connection keeps a read pending, and Beast's read prepares its buffer up front:
// 1,536 bytes per connection for a whole message. The read for a message's first bytes asks
// for first_read_bytes (a "ping" or a small write fits); the rest of a longer message is read
// into the grown buffer, and a buffer grown past that is released once the message is handled.
constexpr std::size_t first_read_bytes = 256;

void websocket_session::do_read() {
  ws_.async_read_some(
      read_buffer_, first_read_bytes,
      beast::bind_front_handler(&websocket_session::on_first_read, shared_from_this()));
}

void websocket_session::on_first_read(beast::error_code ec, std::size_t bytes) {
  if (ec || ws_.is_message_done()) return on_read(ec, bytes);
  ws_.async_read(read_buffer_,
                 beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

void websocket_session::on_read(beast::error_code ec, std::size_t) {
  if (ec) return on_end(ec);
  const std::size_t bytes = read_buffer_.size();
  add(ctx_.metrics.messages_received);
  add(ctx_.metrics.bytes_received, bytes);
  if (!close_started_) on_message(bytes);
  read_buffer_.consume(bytes);
  if (read_buffer_.capacity() > first_read_bytes) read_buffer_.shrink_to_fit();
  do_read();
}

void websocket_session::on_message(std::size_t bytes) {
  if (!within_rate_limit()) {
    add(ctx_.metrics.rate_limit_closes);
    start_close(1008, "Rate limit exceeded");
    return;
  }
  const auto data = read_buffer_.cdata();
  const std::string_view text(static_cast<const char*>(data.data()), bytes);
  if (ws_.got_text() && !ends_in_complete_utf8(text)) {
    add(ctx_.metrics.protocol_errors);
    spdlog::debug("websocket protocol error from user {}: text ends in a truncated UTF-8 sequence",
                  user_id_);
    start_close(1007, "Invalid UTF-8");
    return;
  }
  if (pending_auth_) return on_first_message(text);
  if (ws_.got_text() && text == "ping") {
    // Counted like any message: an uncounted pong made the outbound total drift 4 bytes
    // below zero per ping, until an event looked like an overflow and closed the connection.
    if (!close_started_) push_now(pong_message);
    return;
  }
  if (ws_.got_text() && on_client_write(text)) return;
  // Anything else is counted and ignored, never fatal to the connection.
  add(ctx_.metrics.messages_ignored);
}

bool websocket_session::within_rate_limit() {
  const double rate = ctx_.config.ws_rate_limit;
  if (rate <= 0) return true;
  const auto now = clock::now();
  const double elapsed = std::chrono::duration<double>(now - rate_refilled_).count();
  rate_refilled_ = now;
  rate_tokens_ = std::min(ctx_.config.ws_rate_burst, rate_tokens_ + elapsed * rate);
  if (rate_tokens_ < 1.0) return false;
  rate_tokens_ -= 1.0;
  return true;
}

// ---------------------------------------------------------------- writing --------------

send_result websocket_session::send(const shared_message& message) {
  if (closing_.load(std::memory_order_relaxed)) {
    add(ctx_.metrics.deliveries_dropped);
    return send_result::closing;
  }
  if (!outbound_.reserve(message->size())) {
    add(ctx_.metrics.deliveries_dropped);
    if (!closing_.exchange(true)) {
      asio::post(ws_.get_executor(), [self = shared_from_this()] {
        add(self->ctx_.metrics.slow_consumer_closes);
        self->start_close(1013, "Slow consumer");
      });
    }
    return send_result::overloaded;
  }
  mailbox_.deliver(shared_from_this(), {message, clock::now()});
  return send_result::queued;
}

void websocket_session::enqueue(outbound_queue::entry e) {
  // Closing: dropped. A live event the replay already sent: its fan-out was posted after the
  // replay read it from the log (the commit comes before the fan-out), and arrives after the
  // replay finished.
  if (close_started_ || (!outbound_.holding() && sent_by_replay(*e.message))) {
    outbound_.release(e.message->size());
    return;
  }
  outbound_.push(std::move(e));
  if (accepted_ && !outbound_.writing() && outbound_.has_unwritten()) do_write();
}

void websocket_session::do_write() {
  ws_.text(true);
  const std::string& text = outbound_.start_write().message->text;
  ws_.async_write(asio::buffer(text),
                  beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t bytes) {
  const outbound_queue::entry written = outbound_.finish_write();
  if (ec) return on_end(ec);
  if (written.queued_at != clock::time_point{})
    ctx_.metrics.write_stages.record(write_stage::socket, clock::now() - written.queued_at);
  add(ctx_.metrics.messages_sent);
  add(ctx_.metrics.bytes_sent, bytes);
  if (outbound_.has_unwritten()) return do_write();
  if (replay_more_) fetch_replay_page();
}

// ---------------------------------------------------------------- heartbeat ------------

void websocket_session::heartbeat() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    if (!self->accepted_ || self->close_started_ || self->ended_) return;
    if (self->awaiting_pong_) {
      add(self->ctx_.metrics.heartbeat_timeouts);
      return self->terminate();
    }
    self->awaiting_pong_ = true;
    self->ping_sent_ = clock::now();
    self->ws_.async_ping({}, [self](beast::error_code) {});
  });
}

void websocket_session::on_pong() {
  if (!awaiting_pong_) return;  // unsolicited pong: allowed by RFC 6455, not a sample
  awaiting_pong_ = false;
  ctx_.metrics.record_ping_rtt(clock::now() - ping_sent_);
}

// ---------------------------------------------------------------- closing --------------

void websocket_session::close(std::uint16_t code, std::string_view reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), code, why = std::string(reason)] {
    self->start_close(code, why);
  });
}

void websocket_session::start_close(std::uint16_t code, std::string reason) {
  if (close_started_ || ended_) return;
  close_started_ = true;
  closing_.store(true);
  if (code != 1001) spdlog::debug("websocket close {} for user {}: {}", code, user_id_, reason);
  close_code_ = code;
  close_reason_ = std::move(reason);
  unregister();
  // Drop what was not written yet; the frame in flight, if any, must complete first.
  outbound_.drop_unwritten();
  replay_more_ = false;
  if (accepted_) send_close_frame();
}

void websocket_session::send_close_frame() {
  // A peer that stopped reading never lets the close frame out: bound the wait.
  close_deadline_ = std::make_unique<asio::steady_timer>(ws_.get_executor());
  close_deadline_->expires_after(ctx_.config.handshake_timeout);
  close_deadline_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->terminate();
  });
  websocket::close_reason why(static_cast<websocket::close_code>(close_code_), close_reason_);
  ws_.async_close(why, [self = shared_from_this()](beast::error_code) {});
}

void websocket_session::terminate() {
  unregister();
  beast::error_code ignored;
  ws_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  ws_.next_layer().close(ignored);
}

void websocket_session::unregister() {
  closing_.store(true);
  if (!registered_) return;
  registered_ = false;
  ctx_.registry.remove(user_id_, this);
}

void websocket_session::on_end(beast::error_code ec) {
  if (ended_) return;
  ended_ = true;
  unregister();
  if (close_deadline_) close_deadline_->cancel();
  if (auth_timer_) auth_timer_->cancel();
  if (ec == websocket::error::message_too_big) {
    add(ctx_.metrics.oversize_closes);
  } else if (ec.category() == websocket::make_error_code(websocket::error::closed).category() &&
             ec != websocket::error::closed) {
    add(ctx_.metrics.protocol_errors);
    spdlog::debug("websocket protocol error from user {}: {}", user_id_, ec.message());
  } else if (!is_normal_end(ec)) {
    spdlog::debug("websocket session of user {} ended: {}", user_id_, ec.message());
  }
}

}  // namespace archibald
