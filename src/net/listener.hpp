// Accepts TCP connections on the server's port and starts an http_session for each, within
// the socket budget: past it a connection is closed at once and counted, and when the process
// is out of descriptors anyway the loop backs off instead of spinning. Accepts on the first
// event loop and hands each connection to the next loop in turn: a connection then lives on
// one loop, one thread, for its whole life (no strand, no lock on its hot path).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "net/socket_budget.hpp"
#include "net/tls_port.hpp"

namespace archibald {

class listener : public std::enable_shared_from_this<listener> {
 public:
  // loops: at least one; the acceptor runs on the first.
  listener(std::vector<boost::asio::io_context*> loops, const router& routes, socket_budget& budget,
           tls_port tls = {});

  // Binds and listens; on failure returns false with a readable reason.
  bool open(const boost::asio::ip::tcp::endpoint& endpoint, std::string& error);
  std::uint16_t port() const;
  void run();
  void stop();  // thread-safe

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& next_loop();

  const std::vector<boost::asio::io_context*> loops_;
  std::size_t next_ = 0;  // the loop the next connection goes to (acceptor only)
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  const router& routes_;
  socket_budget& budget_;
  const tls_port tls_;
};

}  // namespace archibald
