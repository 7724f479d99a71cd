// The network side of the server: an io_context run by N threads, the listener, the heartbeat
// round over every connection, and the shutdown sequence on SIGTERM / SIGINT (stop accepting,
// close every WebSocket with 1001, wait for the close handshakes within a bounded time).
// Construct, listen(), then run() from the main thread; run() returns when shut down.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>

#include "http/router.hpp"
#include "net/socket_budget.hpp"

namespace archibald {

class listener;

class realtime_server {
 public:
  realtime_server(const router& routes, std::size_t max_sockets);
  ~realtime_server();

  bool listen(std::string& error);  // binds HOST:PORT
  std::uint16_t port() const;
  void run(unsigned threads);  // blocks until shutdown completes
  void shutdown();             // thread-safe; what SIGTERM does

 private:
  void schedule_heartbeat();
  void begin_shutdown();
  void wait_for_sessions(std::chrono::steady_clock::time_point deadline);

  const router& routes_;
  void run_loop();  // ioc_.run() on this thread, surviving a handler that throws

  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> control_;  // timers, signals
  socket_budget budget_;
  std::shared_ptr<listener> listener_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer heartbeat_timer_;
  std::size_t heartbeat_slice_ = 0;  // the registry slice pinged next
  boost::asio::steady_timer shutdown_timer_;
};

}  // namespace archibald
