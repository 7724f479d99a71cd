#include "client/http_async_pool.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <deque>

#include "tls/tls_context.hpp"

namespace archibald {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

struct http_async_pool::impl : std::enable_shared_from_this<impl> {
  struct job {
    http::request<http::string_body> request;
    callback done;
  };
  struct slot {
    std::unique_ptr<tls_socket> stream;
    std::unique_ptr<asio::steady_timer> deadline;  // closes the stream when a request is late
    std::uint64_t generation = 0;                  // of the request the deadline is for
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    std::optional<job> current;
    steady::time_point sent;
    std::string source;
  };

  asio::io_context& ioc;
  tcp::endpoint server;
  std::string host;
  std::chrono::milliseconds timeout;
  const tls_client_context* tls;
  std::vector<slot> slots;
  std::deque<job> queue;
  std::size_t busy = 0;
  bool stopped = false;

  impl(asio::io_context& c, const std::string& address, std::uint16_t port, std::size_t n,
       const std::vector<std::string>& sources, std::chrono::milliseconds t,
       const tls_client_context* tls_context)
      : ioc(c),
        server(asio::ip::make_address(address), port),
        host(address + ":" + std::to_string(port)),
        timeout(t),
        tls(tls_context),
        slots(std::max<std::size_t>(1, n)) {
    for (std::size_t i = 0; i < slots.size(); ++i)
      if (!sources.empty()) slots[i].source = sources[i % sources.size()];
  }

  void pump() {
    for (std::size_t i = 0; i < slots.size() && !queue.empty(); ++i)
      if (!slots[i].current) start(i);
  }

  // The request in slot i gets `timeout` from now; past it its connection is closed.
  void arm(std::size_t i) {
    slot& s = slots[i];
    if (!s.deadline) s.deadline = std::make_unique<asio::steady_timer>(ioc);
    const std::uint64_t generation = ++s.generation;
    s.deadline->expires_after(timeout);
    s.deadline->async_wait([weak = weak_from_this(), i, generation](beast::error_code ec) {
      const auto self = weak.lock();
      if (ec || !self || self->slots[i].generation != generation) return;
      self->drop(i);
    });
  }

  void start(std::size_t i) {
    slot& s = slots[i];
    s.current.emplace(std::move(queue.front()));
    queue.pop_front();
    ++busy;
    arm(i);
    // A kept connection the server closed while idle (its keep-alive timeout): reconnect
    // instead of sending into it and failing a request that was never received.
    if (s.stream && s.stream->idle()) return send(i);
    s.stream = std::make_unique<tls_socket>(ioc);
    s.buffer.clear();
    beast::error_code ec;
    if (!s.source.empty()) {
      s.stream->open(tcp::v4(), ec);
      if (!ec) s.stream->bind({asio::ip::make_address(s.source), 0}, ec);
      if (ec) return finish(i, {0, {}, "bind: " + ec.message(), {}});
    }
    s.stream->async_connect(server, [self = shared_from_this(), i](beast::error_code e) {
      if (e) return self->finish(i, {0, {}, "connect: " + e.message(), {}});
      if (!self->tls) return self->send(i);
      tls_socket& stream = *self->slots[i].stream;
      stream.start_tls(self->tls->new_ssl(self->server.address().to_string()));
      stream.async_handshake([self, i](beast::error_code e2) {
        if (e2) return self->finish(i, {0, {}, "tls handshake: " + e2.message(), {}});
        self->send(i);
      });
    });
  }

  void send(std::size_t i) {
    slot& s = slots[i];
    s.sent = steady::now();
    s.response = {};
    http::async_write(*s.stream, s.current->request,
                      [self = shared_from_this(), i](beast::error_code e, std::size_t) {
                        if (e) return self->finish(i, {0, {}, "write: " + e.message(), {}});
                        self->receive(i);
                      });
  }

  void receive(std::size_t i) {
    slot& s = slots[i];
    http::async_read(*s.stream, s.buffer, s.response,
                     [self = shared_from_this(), i](beast::error_code e, std::size_t) {
                       slot& s2 = self->slots[i];
                       if (e) return self->finish(i, {0, {}, "read: " + e.message(), {}});
                       http_async_response r{static_cast<int>(s2.response.result_int()),
                                             std::move(s2.response.body()),
                                             {},
                                             steady::now() - s2.sent};
                       if (!s2.response.keep_alive()) self->drop(i);
                       self->finish(i, std::move(r));
                     });
  }

  void drop(std::size_t i) {
    slot& s = slots[i];
    if (!s.stream) return;
    beast::error_code ignored;
    s.stream->close(ignored);
    s.buffer.clear();
  }

  void finish(std::size_t i, http_async_response&& r) {
    slot& s = slots[i];
    if (r.status == 0) drop(i);
    ++s.generation;  // the deadline no longer applies
    if (s.deadline) s.deadline->cancel();
    auto done = std::move(s.current->done);
    s.current.reset();
    --busy;
    if (!stopped) pump();
    done(std::move(r));
  }
};

http_async_pool::http_async_pool(asio::io_context& ioc, std::string address, std::uint16_t port,
                                 std::size_t connections, std::vector<std::string> sources,
                                 std::chrono::milliseconds timeout, const tls_client_context* tls)
    : impl_(std::make_shared<impl>(ioc, address, port, connections, sources, timeout, tls)) {}

http_async_pool::~http_async_pool() {
  shutdown();
}

void http_async_pool::request(std::string method, std::string target, std::string body,
                              std::string authorization, callback done) {
  impl::job j;
  j.request.method_string(method);
  j.request.target(target);
  j.request.version(11);
  j.request.set(http::field::host, impl_->host);
  j.request.keep_alive(true);
  if (!authorization.empty()) j.request.set(http::field::authorization, authorization);
  if (!body.empty()) j.request.set(http::field::content_type, "application/json");
  j.request.body() = std::move(body);
  j.request.prepare_payload();
  j.done = std::move(done);
  if (impl_->stopped) {
    j.done({0, {}, "pool shut down", {}});
    return;
  }
  impl_->queue.push_back(std::move(j));
  impl_->pump();
}

std::size_t http_async_pool::queued() const {
  return impl_->queue.size();
}

std::size_t http_async_pool::busy() const {
  return impl_->busy;
}

void http_async_pool::shutdown() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  for (std::size_t i = 0; i < impl_->slots.size(); ++i) impl_->drop(i);
  auto queue = std::move(impl_->queue);
  for (auto& j : queue) j.done({0, {}, "pool shut down", {}});
}

}  // namespace archibald
