#include "net/realtime_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <csignal>
#include <thread>
#include <vector>

#include "net/listener.hpp"

namespace archibald {

namespace asio = boost::asio;

namespace {

std::vector<std::unique_ptr<asio::io_context>> make_loops(unsigned threads) {
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (unsigned i = 0; i < std::max(1u, threads); ++i)
    loops.push_back(std::make_unique<asio::io_context>(1));  // run by one thread
  return loops;
}

std::vector<asio::io_context*> pointers(const std::vector<std::unique_ptr<asio::io_context>>& v) {
  std::vector<asio::io_context*> out;
  for (const auto& loop : v) out.push_back(loop.get());
  return out;
}

}  // namespace

realtime_server::realtime_server(const router& routes, std::size_t max_sockets, unsigned threads,
                                 tls_port tls, std::function<void()> on_hangup)
    : routes_(routes),
      loops_(make_loops(threads)),
      control_(loops_.front()->get_executor()),
      budget_(max_sockets),
      listener_(std::make_shared<listener>(pointers(loops_), routes, budget_, tls)),
      signals_(control_, SIGINT, SIGTERM),
      hangup_(control_, SIGHUP),
      on_hangup_(std::move(on_hangup)),
      heartbeat_timer_(control_),
      shutdown_timer_(control_) {}

realtime_server::~realtime_server() = default;

bool realtime_server::listen(std::string& error) {
  const server_config& config = routes_.context().config;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config.host, ec);
  if (ec) {
    error = "HOST '" + config.host + "' is not an IP address";
    return false;
  }
  return listener_->open({address, config.port}, error);
}

std::uint16_t realtime_server::port() const {
  return listener_->port();
}

void realtime_server::run() {
  std::signal(SIGPIPE, SIG_IGN);
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}: shutting down", signal);
    begin_shutdown();
    signals_.async_wait([this](boost::system::error_code ec2, int) {
      if (!ec2) stop_loops();  // a second signal: stop now
    });
  });
  wait_for_hangup();
  listener_->run();
  asio::post(control_, [this] { schedule_heartbeat(); });

  // The other loops have nothing to do until connections arrive: keep them running.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep;
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    keep.push_back(asio::make_work_guard(*loops_[i]));
    pool.emplace_back([this, i] { run_loop(*loops_[i]); });
  }
  run_loop(*loops_.front());
  keep.clear();
  for (auto& t : pool) t.join();
}

void realtime_server::stop_loops() {
  for (auto& loop : loops_) loop->stop();
}

void realtime_server::run_loop(asio::io_context& loop) {
  // A handler that throws is a bug (the parsers return errors as values), but it must cost
  // one connection, not every user's: Asio lets run() be called again after an exception.
  for (;;) {
    try {
      loop.run();
      return;
    } catch (const std::exception& e) {
      add(routes_.context().metrics.handler_exceptions);
      spdlog::error("a handler threw ({}); its connection is dropped, the server goes on",
                    e.what());
    }
  }
}

void realtime_server::shutdown() {
  asio::post(control_, [this] { begin_shutdown(); });
}

// Each connection is pinged once per interval, one registry slice at a time: pinging all of
// them at once made every 30 s a burst (19,000 pings and pongs) that delayed events by 0.6 s.
// HEARTBEAT_SPREAD=false keeps that burst, to measure the difference.
void realtime_server::schedule_heartbeat() {
  const auto& context = routes_.context();
  const std::size_t slices = context.config.heartbeat_spread ? context.registry.slice_count() : 1;
  heartbeat_timer_.expires_after(context.config.heartbeat_interval / slices);
  heartbeat_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    const auto& config = routes_.context().config;
    const auto& r = routes_.context().registry;
    const auto pinged = config.heartbeat_spread
                            ? r.snapshot_slice(heartbeat_slice_++ % r.slice_count())
                            : r.snapshot();
    for (const auto& c : pinged) c->heartbeat();
    schedule_heartbeat();
  });
}

void realtime_server::begin_shutdown() {
  lifecycle& life = routes_.context().life;
  if (life.shutting_down.exchange(true)) return;
  listener_->stop();
  heartbeat_timer_.cancel();
  const auto connections = routes_.context().registry.snapshot();
  spdlog::info("closing {} WebSocket connection(s) with 1001", connections.size());
  for (const auto& c : connections) c->close(1001, "Server shutting down");
  // Leave a margin inside the configured bound for the process to exit.
  const auto budget = routes_.context().config.shutdown_timeout;
  wait_for_sessions(std::chrono::steady_clock::now() + budget - budget / 5);
}

void realtime_server::wait_for_hangup() {
  hangup_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    if (on_hangup_) on_hangup_();
    wait_for_hangup();
  });
}

void realtime_server::wait_for_sessions(std::chrono::steady_clock::time_point deadline) {
  const std::size_t open = routes_.context().life.open_websockets.load();
  if (open == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (open > 0) spdlog::warn("{} WebSocket session(s) still closing at the deadline", open);
    signals_.cancel();
    hangup_.cancel();
    stop_loops();
    return;
  }
  shutdown_timer_.expires_after(std::chrono::milliseconds(20));
  shutdown_timer_.async_wait([this, deadline](boost::system::error_code ec) {
    if (!ec) wait_for_sessions(deadline);
  });
}

}  // namespace archibald
