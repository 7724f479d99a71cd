// One HTTP/1.1 connection: reads requests with size and time limits, answers them through the
// router, keeps the connection alive between requests, and hands a WebSocket upgrade on
// /ws/realtime over to a websocket_session. On a TLS port it first tells TLS from plain by the
// first byte (Beast's TLS ClientHello test, on a peek: nothing is consumed), then handshakes;
// a plain request is answered 400 (TLS_MODE=require) or served (flex). Lives on one event loop
// (one thread).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "http/router.hpp"
#include "net/lingering_stream.hpp"
#include "net/socket_budget.hpp"
#include "net/tls_port.hpp"

namespace archibald {

class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(boost::asio::ip::tcp::socket&& socket, const router& routes, socket_slot slot,
               tls_port tls = {});

  void run();

 private:
  using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  void detect_tls();
  void wait_for_first_byte();
  void on_readable(boost::beast::error_code ec);
  void on_tls_handshake(boost::beast::error_code ec);
  // The connection's time bound: past it the socket is closed and what is pending fails.
  void arm_deadline(std::chrono::steady_clock::duration limit);
  void do_read();
  void on_header(boost::beast::error_code ec, std::size_t bytes);
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_read_error(boost::beast::error_code ec);
  void on_request();
  void upgrade();
  // Answers a request the transport refuses (bad framing, limits) and closes the connection.
  void reject(unsigned status, std::string_view message, std::string_view detail = {});
  // request_line: "METHOD target" (redacted) for the debug log of a rejection; may be empty.
  void respond(http_response response, bool keep_alive, bool head = false,
               std::string_view request_line = {});
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void close_gracefully();
  void drain(std::size_t drained);

  lingering_stream stream_;
  boost::asio::steady_timer deadline_;
  boost::beast::flat_buffer buffer_;
  std::optional<request_parser> parser_;
  const router& routes_;
  socket_slot slot_;
  const tls_port tls_;
  bool first_request_ = true;
  bool timed_out_ = false;
  bool refuse_plain_ = false;  // a plain request on a TLS-only port: answered 400
};

}  // namespace archibald
