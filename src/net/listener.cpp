#include "net/listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>

#include "net/http_session.hpp"

namespace archibald {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

listener::listener(std::vector<asio::io_context*> loops, const router& routes,
                   socket_budget& budget, tls_port tls)
    : loops_(std::move(loops)),
      acceptor_(*loops_.front()),
      backoff_(acceptor_.get_executor()),
      routes_(routes),
      budget_(budget),
      tls_(tls) {}

bool listener::open(const tcp::endpoint& endpoint, std::string& error) {
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + endpoint.address().to_string() + ":" +
            std::to_string(endpoint.port()) + ": " + ec.message();
    return false;
  }
  return true;
}

std::uint16_t listener::port() const {
  return acceptor_.local_endpoint().port();
}

void listener::run() {
  do_accept();
}

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_.cancel();
  });
}

asio::io_context& listener::next_loop() {
  asio::io_context& loop = *loops_[next_];
  next_ = (next_ + 1) % loops_.size();
  return loop;
}

void listener::do_accept() {
  acceptor_.async_accept(next_loop(),
                         beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
    spdlog::warn("accept: {}; backing off", ec.message());
    backoff_.expires_after(std::chrono::milliseconds(100));
    backoff_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  if (ec) {
    spdlog::debug("accept: {}", ec.message());
  } else if (!budget_.try_acquire()) {
    add(routes_.context().metrics.http_rejected_capacity);
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<http_session>(std::move(socket), routes_, socket_slot(budget_), tls_)->run();
  }
  do_accept();
}

}  // namespace archibald
