#include "client/ws_async.hpp"

#include <netinet/in.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <vector>

#include "tls/tls_context.hpp"

namespace archibald {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct ws_async_connection::session : std::enable_shared_from_this<session> {
  websocket::stream<tls_socket> ws;
  // Bounds the connect and handshakes, then a graceful close; none while open.
  std::unique_ptr<asio::steady_timer> deadline;
  beast::flat_buffer buffer;
  std::vector<std::string> outbox;
  bool writing = false;
  bool open = false;
  ws_async_listener* listener;  // null once the owner no longer wants to hear
  std::uint64_t id;
  std::chrono::steady_clock::time_point started;

  session(asio::io_context& ioc, ws_async_listener* l, std::uint64_t i)
      : ws(ioc), listener(l), id(i) {}

  void fail(bool was_open, std::uint16_t code, std::string_view error) {
    open = false;
    if (auto* l = std::exchange(listener, nullptr)) l->on_down(id, was_open, code, error);
  }

  // Closes the socket at the deadline: what is pending then fails.
  void arm(std::chrono::steady_clock::duration limit) {
    deadline = std::make_unique<asio::steady_timer>(ws.get_executor());
    deadline->expires_after(limit);
    deadline->async_wait([weak = weak_from_this()](beast::error_code ec) {
      const auto self = weak.lock();
      if (ec || !self) return;
      beast::error_code ignored;
      self->ws.next_layer().close(ignored);
    });
  }
  void disarm() {
    if (deadline) deadline->cancel();
    deadline.reset();
  }

  void start(const ws_async_target& t) {
    started = std::chrono::steady_clock::now();
    beast::error_code ec;
    const auto server = asio::ip::make_address(t.address, ec);
    if (ec) return fail(false, 0, "bad address " + t.address);
    tls_socket& socket = ws.next_layer();
    if (!t.source_address.empty()) {
      const auto source = asio::ip::make_address(t.source_address, ec);
      if (!ec) socket.open(source.is_v4() ? tcp::v4() : tcp::v6(), ec);
#ifdef IP_BIND_ADDRESS_NO_PORT
      // Pick the port at connect(), per destination: many sources × one server port.
      if (!ec)
        socket.set_option(
            asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>(true), ec);
#endif
      if (!ec) socket.bind(tcp::endpoint(source, 0), ec);
      if (ec) return fail(false, 0, "bind " + t.source_address + ": " + ec.message());
    }
    arm(t.timeout);
    const std::string host = t.address + ":" + std::to_string(t.port);
    socket.async_connect(
        tcp::endpoint(server, t.port), [self = shared_from_this(), host, t](beast::error_code e) {
          if (e) return self->fail(false, 0, "connect: " + e.message());
          if (!t.tls) return self->handshake(host, t.target);
          tls_socket& s = self->ws.next_layer();
          s.start_tls(t.tls->new_ssl(t.server_name.empty() ? t.address : t.server_name));
          s.async_handshake([self, host, target = t.target](beast::error_code e2) {
            if (e2) return self->fail(false, 0, "tls handshake: " + e2.message());
            self->handshake(host, target);
          });
        });
  }

  void handshake(const std::string& host, const std::string& target) {
    ws.read_message_max(16u << 20);
    ws.async_handshake(host, target, [self = shared_from_this()](beast::error_code e) {
      self->disarm();
      if (e) return self->fail(false, 0, "handshake: " + e.message());
      self->open = true;
      // The server pings; Beast answers inside reads. Nothing idles us out.
      self->ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(10),
                                                          websocket::stream_base::none(), false});
      if (self->listener)
        self->listener->on_open(self->id, std::chrono::steady_clock::now() - self->started);
      self->read();
      self->write_next();
    });
  }

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code e, std::size_t n) {
      if (e) {
        const auto code = static_cast<std::uint16_t>(self->ws.reason().code);
        return self->fail(self->open, code, e.message());
      }
      if (self->listener) {
        const auto data = self->buffer.cdata();
        self->listener->on_message(self->id,
                                   std::string_view(static_cast<const char*>(data.data()), n));
      }
      self->buffer.consume(n);
      if (self->listener) self->read();
    });
  }

  void write_next() {
    if (writing || outbox.empty() || !open) return;
    writing = true;
    ws.async_write(asio::buffer(outbox.front()),
                   [self = shared_from_this()](beast::error_code e, std::size_t) {
                     self->writing = false;
                     if (e) return self->fail(self->open, 0, "write: " + e.message());
                     self->outbox.erase(self->outbox.begin());
                     self->write_next();
                   });
  }

  void abort() {
    listener = nullptr;
    open = false;
    disarm();
    beast::error_code ignored;
    auto& socket = ws.next_layer();
    if (socket.is_open()) socket.close(ignored);
  }

  void graceful_close() {
    listener = nullptr;
    if (!open) return abort();
    open = false;
    arm(std::chrono::seconds(2));
    ws.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {
      self->disarm();
      beast::error_code ignored;
      self->ws.next_layer().close(ignored);
    });
  }
};

ws_async_connection::ws_async_connection(asio::io_context& ioc, ws_async_listener& listener,
                                         std::uint64_t id)
    : ioc_(ioc), listener_(listener), id_(id) {}

ws_async_connection::~ws_async_connection() {
  abandon();
}

void ws_async_connection::connect(const ws_async_target& target) {
  abandon();
  session_ = std::make_shared<session>(ioc_, &listener_, id_);
  session_->start(target);
}

bool ws_async_connection::send(std::string text) {
  if (!session_ || !session_->open) return false;
  session_->outbox.push_back(std::move(text));
  session_->write_next();
  return true;
}

void ws_async_connection::close() {
  if (auto s = std::exchange(session_, nullptr)) s->graceful_close();
}

void ws_async_connection::abandon() {
  if (auto s = std::exchange(session_, nullptr)) s->abort();
}

bool ws_async_connection::is_open() const {
  return session_ && session_->open;
}

std::size_t ws_async_connection::queued() const {
  return session_ ? session_->outbox.size() : 0;
}

}  // namespace archibald
