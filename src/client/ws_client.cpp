#include "client/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <optional>

#include "tls/tls_context.hpp"

namespace archibald {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct ws_client::impl {
  asio::io_context ioc;
  websocket::stream<tls_socket> ws{ioc};
  beast::flat_buffer buffer;
  bool reading = false;
  std::optional<ws_event> read_result;

  // Runs the loop until done() or the deadline; false on timeout or when nothing is pending.
  template <typename Done>
  bool run_until(Done done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return false;
      ioc.restart();
      if (ioc.run_one_for(left) == 0 && ioc.stopped() && !done()) return false;
    }
    return true;
  }
};

ws_client::ws_client() : impl_(std::make_unique<impl>()) {}
ws_client::~ws_client() {
  abort();
}

std::string ws_client::connect(const std::string& host, std::uint16_t port,
                               const std::string& target, const header_list& headers,
                               std::chrono::milliseconds timeout) {
  impl& s = *impl_;
  std::optional<beast::error_code> result;
  websocket::response_type response;
  tcp::resolver resolver(s.ioc);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return "resolve: " + ec.message();

  tls_socket& socket = s.ws.next_layer();
  std::string stage;
  const auto handshake = [&] {
    stage = "websocket handshake";
    s.ws.set_option(
        websocket::stream_base::timeout{timeout, websocket::stream_base::none(), false});
    s.ws.set_option(websocket::stream_base::decorator([&headers](websocket::request_type& req) {
      for (const auto& [name, value] : headers) req.set(name, value);
    }));
    s.ws.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::ping) ++pings_received_;
    });
    s.ws.async_handshake(response, host + ":" + std::to_string(port), target,
                         [&](beast::error_code e2) { result = e2; });
  };
  asio::async_connect(socket, endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    stage = "connect";
    if (e || !tls_) return e ? void(result = e) : handshake();
    stage = "tls handshake";
    socket.start_tls(tls_->new_ssl(host));
    socket.async_handshake([&](beast::error_code e2) {
      if (e2) return void(result = e2);
      handshake();
    });
  });
  if (!s.run_until([&] { return result.has_value(); }, timeout + std::chrono::seconds(1))) {
    abort();
    return "timeout";
  }
  if (*result && stage != "websocket handshake") return stage + ": " + result->message();
  handshake_status_ = static_cast<int>(response.result_int());
  if (*result) {
    if (handshake_status_ != 0 && handshake_status_ != 101)
      return "HTTP " + std::to_string(handshake_status_) + ": " + response.body();
    return result->message();
  }
  s.ws.read_message_max(64u << 20);
  return {};
}

bool ws_client::send(std::string_view data, bool binary, std::chrono::milliseconds timeout) {
  impl& s = *impl_;
  std::optional<beast::error_code> result;
  s.ws.binary(binary);
  s.ws.async_write(asio::buffer(data.data(), data.size()),
                   [&](beast::error_code e, std::size_t) { result = e; });
  if (!s.run_until([&] { return result.has_value(); }, timeout)) {
    abort();
    return false;
  }
  return !*result;
}

bool ws_client::send_text(std::string_view text, std::chrono::milliseconds timeout) {
  return send(text, false, timeout);
}

bool ws_client::send_binary(std::string_view bytes, std::chrono::milliseconds timeout) {
  return send(bytes, true, timeout);
}

ws_event ws_client::read(std::chrono::milliseconds timeout) {
  impl& s = *impl_;
  if (!s.reading && !s.read_result) {
    s.reading = true;
    s.ws.async_read(s.buffer, [&s](beast::error_code e, std::size_t n) {
      s.reading = false;
      ws_event ev;
      if (!e) {
        ev.what = ws_event::kind::message;
        ev.binary = s.ws.got_binary();
        ev.text.assign(static_cast<const char*>(s.buffer.cdata().data()), n);
        s.buffer.consume(n);
      } else if (e == websocket::error::closed ||
                 s.ws.reason().code != websocket::close_code::none) {
        // A close frame arrived; a failure while answering it does not change what the
        // server said (browsers report the received code too).
        ev.what = ws_event::kind::closed;
        ev.close_code = s.ws.reason().code;
        ev.close_reason = std::string(s.ws.reason().reason.c_str());
      } else {
        ev.what = ws_event::kind::error;
        ev.error = e.message();
      }
      s.read_result = std::move(ev);
    });
  }
  if (!s.run_until([&s] { return s.read_result.has_value(); }, timeout)) {
    ws_event ev;
    ev.what = ws_event::kind::timeout;
    return ev;
  }
  ws_event ev = std::move(*s.read_result);
  s.read_result.reset();
  return ev;
}

void ws_client::close(std::uint16_t code, std::chrono::milliseconds timeout) {
  impl& s = *impl_;
  if (!s.ws.is_open()) return;
  std::optional<beast::error_code> result;
  s.ws.async_close(websocket::close_reason(code), [&](beast::error_code e) { result = e; });
  if (!s.run_until([&] { return result.has_value(); }, timeout)) abort();
}

void ws_client::abort() {
  beast::error_code ignored;
  auto& socket = impl_->ws.next_layer();
  if (socket.is_open()) {
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
  // Let aborted handlers run so nothing refers to this call's stack later.
  impl_->ioc.restart();
  impl_->ioc.poll();
}

bool ws_client::is_open() const {
  return impl_->ws.is_open();
}

}  // namespace archibald
