#include "net/http_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "http/url.hpp"
#include "http/websocket_admission.hpp"
#include "net/websocket_session.hpp"

namespace archibald {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

namespace {

constexpr std::size_t max_header_bytes = 16 * 1024;

std::string_view view(beast::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace

http_session::http_session(asio::ip::tcp::socket&& socket, const router& routes, socket_slot slot)
    : stream_(std::move(socket)), routes_(routes), slot_(std::move(slot)) {}

void http_session::run() {
  asio::dispatch(stream_.get_executor(),
                 beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::do_read() {
  const auto& config = routes_.context().config;
  parser_.emplace();
  parser_->body_limit(config.max_http_body_bytes);
  parser_->header_limit(max_header_bytes);
  stream_.expires_after(first_request_ ? config.handshake_timeout : config.http_idle_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return close_gracefully();
  if (ec == http::error::body_limit)
    return respond(json_error(413, "Request body too large"), false);
  if (ec == http::error::header_limit)
    return respond(json_error(431, "Request header too large"), false);
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted ||
      ec == asio::error::eof || ec == asio::error::connection_reset)
    return;
  if (ec) return respond(json_error(400, "Malformed HTTP request"), false);

  auto& req = parser_->get();
  if (beast::websocket::is_upgrade(req)) return upgrade();

  const bool head = req.method() == http::verb::head;
  const http_request request{.method = view(req.method_string()),
                             .target = view(req.target()),
                             .authorization = view(req[http::field::authorization]),
                             .origin = view(req[http::field::origin]),
                             .body = req.body()};
  const bool keep_alive = req.keep_alive() && !routes_.context().life.shutting_down.load();
  // Storage-backed routes answer from the storage thread: come back to this strand.
  routes_.handle(request, [self = shared_from_this(), keep_alive, head](http_response response) {
    asio::dispatch(self->stream_.get_executor(),
                   [self, keep_alive, head, response = std::move(response)]() mutable {
                     self->respond(std::move(response), keep_alive, head);
                   });
  });
}

void http_session::upgrade() {
  auto req = parser_->release();
  const http_request request{.method = view(req.method_string()),
                             .target = view(req.target()),
                             .authorization = view(req[http::field::authorization]),
                             .origin = view(req[http::field::origin]),
                             .body = {}};
  const server_context& ctx = routes_.context();
  if (split_target(request.target).path != websocket_path)
    return respond(json_error(404, "Not found"), false);
  if (ctx.life.shutting_down.load()) return respond(json_error(503, "Shutting down"), false);

  websocket_admission admission = admit_websocket(request, ctx);
  if (admission.outcome == websocket_admission::verdict::refuse_http) {
    spdlog::info("websocket upgrade refused ({}) for {}", admission.http_status,
                 redact_target(request.target));
    return respond(json_error(admission.http_status, "Origin not allowed"), false);
  }
  if (admission.outcome == websocket_admission::verdict::close_after_handshake)
    spdlog::debug("websocket authentication failed for {}", redact_target(request.target));
  std::make_shared<websocket_session>(std::move(stream_), ctx, std::move(slot_))
      ->run(std::move(req), std::move(admission));
}

void http_session::respond(http_response response, bool keep_alive, bool head) {
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
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(2));
  drain(0);
}

void http_session::drain(std::size_t drained) {
  if (drained > routes_.context().config.max_http_body_bytes) return;
  stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this(), drained](
                                                     beast::error_code ec, std::size_t bytes) {
    if (!ec) self->drain(drained + bytes);
  });
}

}  // namespace archibald
