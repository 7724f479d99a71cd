// One HTTP/1.1 connection: reads requests with size and time limits, answers them through the
// router, keeps the connection alive between requests, and hands a WebSocket upgrade on
// /ws/realtime over to a websocket_session. Lives on one event loop (one thread).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "http/router.hpp"
#include "net/socket_budget.hpp"

namespace archibald {

class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(boost::asio::ip::tcp::socket&& socket, const router& routes, socket_slot slot);

  void run();

 private:
  using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

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

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<request_parser> parser_;
  const router& routes_;
  socket_slot slot_;
  bool first_request_ = true;
};

}  // namespace archibald
