// The network side of the server: one event loop (io_context) per network thread, the
// listener that spreads connections over them, the heartbeat round over every connection, and
// the shutdown sequence on SIGTERM / SIGINT (stop accepting, close every WebSocket with 1001,
// wait for the close handshakes within a bounded time).
// Construct, listen(), then run() from the main thread; run() returns when shut down.
//
// Why a loop per thread rather than one io_context run by N threads: a connection's handlers
// then always run on the same thread, so it needs no strand and its state no lock, and work
// handed to a loop (a delivery, an answer) wakes that loop's thread only. Measured against the
// shared io_context at 1,500 REST writes/s it costs the same CPU (medians of 4 alternated runs,
// 397 vs 402 µs per write, docs/PERFORMANCE-REPORT.md); it is the base of the batched
// hand-offs (one wake-up per loop per storage commit).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/router.hpp"
#include "net/socket_budget.hpp"
#include "net/tls_port.hpp"

namespace archibald {

class listener;

class realtime_server {
 public:
  // tls: what the port speaks besides plain HTTP (TLS_CERT / TLS_MODE); on_hangup: what SIGHUP
  // does (reload the certificate), on the control loop; none: SIGHUP is ignored.
  realtime_server(const router& routes, std::size_t max_sockets, unsigned threads,
                  tls_port tls = {}, std::function<void()> on_hangup = {});
  ~realtime_server();

  bool listen(std::string& error);  // binds HOST:PORT
  std::uint16_t port() const;
  void run();       // blocks until shutdown completes
  void shutdown();  // thread-safe; what SIGTERM does

 private:
  void schedule_heartbeat();
  void wait_for_hangup();
  void begin_shutdown();
  void wait_for_sessions(std::chrono::steady_clock::time_point deadline);
  void stop_loops();
  void run_loop(boost::asio::io_context& loop);  // on this thread, surviving a throwing handler

  const router& routes_;
  std::vector<std::unique_ptr<boost::asio::io_context>> loops_;  // one per network thread
  // Server-wide timers and signals, on the first loop.
  boost::asio::io_context::executor_type control_;
  socket_budget budget_;
  std::shared_ptr<listener> listener_;
  boost::asio::signal_set signals_;
  boost::asio::signal_set hangup_;
  std::function<void()> on_hangup_;
  boost::asio::steady_timer heartbeat_timer_;
  std::size_t heartbeat_slice_ = 0;  // the registry slice pinged next
  boost::asio::steady_timer shutdown_timer_;
};

}  // namespace archibald
