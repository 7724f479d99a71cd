// Accepts TCP connections on the server's port and starts an http_session for each, within
// the socket budget: past it a connection is closed at once and counted, and when the process
// is out of descriptors anyway the loop backs off instead of spinning. Runs on its own strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>
#include <string>

#include "http/router.hpp"
#include "net/socket_budget.hpp"

namespace archibald {

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(boost::asio::io_context& ioc, const router& routes, socket_budget& budget);

  // Binds and listens; on failure returns false with a readable reason.
  bool open(const boost::asio::ip::tcp::endpoint& endpoint, std::string& error);
  std::uint16_t port() const;
  void run();
  void stop();  // thread-safe

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  const router& routes_;
  socket_budget& budget_;
};

}  // namespace archibald
