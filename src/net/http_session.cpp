#include "net/http_session.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "http/request_framing.hpp"
#include "http/url.hpp"
#include "http/websocket_admission.hpp"
#include "net/websocket_session.hpp"
#include "tls/tls_context.hpp"

namespace archibald {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

namespace {

constexpr std::size_t max_header_bytes = 16 * 1024;

std::string_view view(beast::string_view s) {
  return {s.data(), s.size()};
}

std::string peer(const asio::ip::tcp::socket& socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("a closed peer")
            : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

// The values of every Transfer-Encoding field, for the framing check (request smuggling).
const char* framing_error(const http::request_header<>& req) {
  if (req.count(http::field::transfer_encoding) == 0) return nullptr;
  std::vector<std::string_view> codings;
  const auto [first, last] = req.equal_range(http::field::transfer_encoding);
  for (auto field = first; field != last; ++field) codings.push_back(view(field->value()));
  return transfer_encoding_error(req.version(), codings);
}

}  // namespace

http_session::http_session(asio::ip::tcp::socket&& socket, const router& routes, socket_slot slot,
                           tls_port tls)
    : stream_(std::move(socket)),
      deadline_(stream_.get_executor()),
      routes_(routes),
      slot_(std::move(slot)),
      tls_(tls) {}

void http_session::run() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->tls_.context) return self->detect_tls();
    self->do_read();
  });
}

void http_session::arm_deadline(std::chrono::steady_clock::duration limit) {
  deadline_.expires_after(limit);
  deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    const auto self = weak.lock();
    if (ec || !self) return;
    self->timed_out_ = true;
    beast::error_code ignored;
    self->stream_.close(ignored);
  });
}

// ---------------------------------------------------------------- TLS or plain ---------

void http_session::detect_tls() {
  // The TLS handshake and the first request head share the handshake limit (slowloris).
  arm_deadline(routes_.context().config.handshake_timeout);
  wait_for_first_byte();
}

void http_session::wait_for_first_byte() {
  stream_.tcp_socket::async_wait(
      asio::socket_base::wait_read,
      beast::bind_front_handler(&http_session::on_readable, shared_from_this()));
}

void http_session::on_readable(beast::error_code ec) {
  if (ec) return;
  // One byte decides (no HTTP request begins with a TLS record's 0x16): waiting for more of a
  // ClientHello on a peek would spin on the readable socket.
  unsigned char first = 0;
  const std::size_t n =
      stream_.receive(asio::buffer(&first, 1), asio::socket_base::message_peek | MSG_DONTWAIT, ec);
  if (ec == asio::error::would_block) return wait_for_first_byte();  // woken early
  if (ec || n == 0) return;                                          // the peer left
  const boost::tribool hello = beast::detail::is_tls_client_hello(asio::buffer(&first, 1));
  const server_context& ctx = routes_.context();
  if (hello || boost::indeterminate(hello)) {
    ssl_ptr ssl = tls_.context->new_ssl();
    if (!ssl) return;
    stream_.start_tls(std::move(ssl));
    stream_.async_handshake(
        beast::bind_front_handler(&http_session::on_tls_handshake, shared_from_this()));
    return;
  }
  if (!tls_.flex) {
    add(ctx.metrics.tls_plain_refused);
    refuse_plain_ = true;
  }
  do_read();
}

void http_session::on_tls_handshake(beast::error_code ec) {
  const server_context& ctx = routes_.context();
  if (ec) {
    add(ctx.metrics.tls_handshake_failures);
    spdlog::debug("TLS handshake with {} failed: {}", peer(stream_),
                  timed_out_ ? "timed out" : ec.message());
    return;
  }
  add(ctx.metrics.tls_handshakes);
  do_read();
}

// ---------------------------------------------------------------- requests -------------

void http_session::do_read() {
  const auto& config = routes_.context().config;
  parser_.emplace();
  parser_->body_limit(config.max_http_body_bytes);
  parser_->header_limit(max_header_bytes);
  arm_deadline(first_request_ ? config.handshake_timeout : config.http_idle_timeout);
  // The header first: its framing is checked before a byte of the body is read.
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&http_session::on_header, shared_from_this()));
}

void http_session::on_header(beast::error_code ec, std::size_t) {
  if (ec) return on_read_error(ec);
  if (refuse_plain_) return reject(400, "This port speaks TLS only: use https:// or wss://");
  if (const char* why = framing_error(parser_->get())) return reject(400, why);
  if (parser_->is_done()) return on_request();
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec) return on_read_error(ec);
  on_request();
}

void http_session::on_read_error(beast::error_code ec) {
  if (timed_out_) {
    if (parser_->got_some())
      spdlog::debug("http request from {} timed out half-read", peer(stream_));
    return;
  }
  if (ec == http::error::end_of_stream) return close_gracefully();
  if (ec == http::error::body_limit) return reject(413, "Request body too large");
  if (ec == http::error::header_limit) return reject(431, "Request header too large");
  if (ec == asio::error::operation_aborted || ec == asio::error::eof ||
      ec == asio::error::connection_reset)
    return;
  reject(400, "Malformed HTTP request", ec.message());
}

void http_session::on_request() {
  auto& req = parser_->get();
  if (beast::websocket::is_upgrade(req)) return upgrade();

  const bool head = req.method() == http::verb::head;
  const http_request request{.method = view(req.method_string()),
                             .target = view(req.target()),
                             .authorization = view(req[http::field::authorization]),
                             .origin = view(req[http::field::origin]),
                             .body = req.body()};
  const bool keep_alive = req.keep_alive() && !routes_.context().life.shutting_down.load();
  std::string request_line;
  if (spdlog::should_log(spdlog::level::debug))
    request_line = std::string(request.method) + " " + redact_target(request.target);
  // Storage-backed routes answer from the storage thread: come back to this loop.
  routes_.handle(request, [self = shared_from_this(), keep_alive, head,
                           request_line = std::move(request_line)](http_response response) mutable {
    asio::dispatch(self->stream_.get_executor(),
                   [self, keep_alive, head, request_line = std::move(request_line),
                    response = std::move(response)]() mutable {
                     self->respond(std::move(response), keep_alive, head, request_line);
                   });
  });
}

void http_session::reject(unsigned status, std::string_view message, std::string_view detail) {
  std::string request_line;
  if (parser_ && parser_->is_header_done()) {
    const auto& req = parser_->get();
    request_line = std::string(view(req.method_string())) + " " + redact_target(view(req.target()));
  }
  spdlog::debug("http {} to {} ({}{}{}): {}", status, peer(stream_),
                request_line.empty() ? "no request line" : request_line, detail.empty() ? "" : ", ",
                detail, message);
  respond(json_error(status, message), false);
}

void http_session::upgrade() {
  const auto& req = parser_->get();
  const http_request request{.method = view(req.method_string()),
                             .target = view(req.target()),
                             .authorization = view(req[http::field::authorization]),
                             .origin = view(req[http::field::origin]),
                             .body = {}};
  const server_context& ctx = routes_.context();
  const auto target = parse_target(request.target);
  if (!target) return reject(400, "Malformed request target");
  if (target->path != websocket_path) return reject(404, "Not found");
  if (ctx.life.shutting_down.load()) return reject(503, "Shutting down");

  websocket_admission admission = admit_websocket(request, ctx);
  if (admission.outcome == websocket_admission::verdict::refuse_http) {
    spdlog::info("websocket upgrade refused ({}) for {}", admission.http_status,
                 redact_target(request.target));
    return reject(admission.http_status, "Origin not allowed");
  }
  if (admission.outcome == websocket_admission::verdict::close_after_handshake)
    spdlog::debug("websocket authentication failed ({}) for {}", admission.failure,
                  redact_target(request.target));
  deadline_.cancel();
  std::make_shared<websocket_session>(std::move(stream_), ctx, std::move(slot_))
      ->run(parser_->release(), std::move(admission));
}

void http_session::respond(http_response response, bool keep_alive, bool head,
                           std::string_view request_line) {
  routes_.context().metrics.record_http_response(response.status);
  if (response.status >= 400 && !request_line.empty())
    spdlog::debug("http {} to {} ({})", response.status, peer(stream_), request_line);
  http::response<http::string_body> res{static_cast<http::status>(response.status), 11};
  res.set(http::field::server, "archibald-realtime");
  if (!response.content_type.empty()) res.set(http::field::content_type, response.content_type);
  res.set(http::field::cache_control, "no-store");
  for (auto& [name, value] : response.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(response.body);
  res.prepare_payload();
  if (head) res.body().clear();  // Content-Length still tells the size a GET would get

  auto message = std::make_shared<http::response<http::string_body>>(std::move(res));
  http::async_write(
      stream_, *message,
      [self = shared_from_this(), message, keep_alive](beast::error_code ec, std::size_t bytes) {
        self->on_write(keep_alive, ec, bytes);
      });
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) return;
  if (!keep_alive) return close_gracefully();
  first_request_ = false;
  do_read();
}

void http_session::close_gracefully() {
  // Half-close, then drain (bounded in bytes and time) so the peer reads our answer instead
  // of a connection reset.
  beast::error_code ignored;
  stream_.send_close_notify();
  stream_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  arm_deadline(std::chrono::seconds(2));
  drain(0);
}

void http_session::drain(std::size_t drained) {
  if (drained > routes_.context().config.max_http_body_bytes) return;
  // Raw bytes (TLS records too): what the peer still sends is never looked at.
  stream_.tcp_socket::async_read_some(
      buffer_.prepare(4096),
      [self = shared_from_this(), drained](beast::error_code ec, std::size_t bytes) {
        if (!ec) self->drain(drained + bytes);
      });
}

}  // namespace archibald
