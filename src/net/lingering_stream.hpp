// The socket under every server session (HTTP, then WebSocket), TLS or plain (tls_socket),
// whose WebSocket teardown lingers. After the
// close frame it half-closes, then reads and discards what the peer still sends (at most
// linger_bytes, for at most linger_time) until the peer's FIN, and only then closes. Closing
// with unread input makes the kernel send a reset, and a reset destroys the close frame still in
// the peer's receive queue: a client that sent a too-big message saw 1006 instead of 1009.
// Beast 1.81's own teardown stops after one read (it tests the completion's byte count before
// the read sets it), so it is replaced here.
//
// A socket, not a beast::tcp_stream: the WebSocket has timeouts of its own (the HTTP session a
// deadline of its own), and the stream's two timers cost every idle connection about 600
// bytes. The linger's time bound is a timer of the teardown, which exists only while a
// connection closes. Over TLS the teardown sends close_notify first; what the peer sends after
// is discarded unread, encrypted.
//
// Beast's websocket::stream finds async_teardown by argument-dependent lookup on its next
// layer; this overload is an exact match and wins over Beast's for sockets. Server role only.
// Runs on the socket's executor, like every other operation on it.
#pragma once

#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "tls/tls_socket.hpp"

namespace archibald {

class lingering_stream : public tls_socket {
 public:
  explicit lingering_stream(boost::asio::ip::tcp::socket&& socket)
      : tls_socket(std::move(socket)) {}

  // Called when the teardown starts, on the socket's executor: a connection that Beast itself
  // fails (1009, 1007, 1002) can leave its registry then rather than after the linger.
  std::function<void()> on_teardown;
};

inline constexpr std::size_t linger_bytes = 64u << 20;
inline constexpr std::chrono::seconds linger_time{2};

namespace detail {

struct lingering_close_op {
  static constexpr std::size_t chunk = 16 * 1024;
  // Shared with the time bound's handler, which may run after the teardown completed (and the
  // socket is gone): it closes the socket only while the teardown still reads.
  struct linger {
    explicit linger(lingering_stream& s) : socket(s), deadline(s.get_executor()) {}
    lingering_stream& socket;
    boost::asio::steady_timer deadline;
    bool reading = true;
  };
  explicit lingering_close_op(lingering_stream& s) : socket(s) {}
  lingering_stream& socket;
  std::shared_ptr<linger> state;
  std::size_t drained = 0;

  template <class Self>
  void operator()(Self& self, boost::beast::error_code ec = {}, std::size_t bytes = 0) {
    if (!state) {
      if (socket.on_teardown) socket.on_teardown();
      socket.send_close_notify();
      // FIN right after the close frame; a failure shows up as the read's error below.
      boost::beast::error_code ignored;
      socket.shutdown(boost::asio::socket_base::shutdown_send, ignored);
      state = std::make_shared<linger>(socket);
      state->deadline.expires_after(linger_time);
      state->deadline.async_wait([s = state](boost::beast::error_code ec) {
        boost::beast::error_code ignored;
        if (!ec && s->reading) s->socket.close(ignored);  // the read ends with an error
      });
    } else {
      drained += bytes;
      if (ec || drained >= linger_bytes) {  // the peer's FIN (eof), the time bound, or enough
        state->reading = false;
        state->deadline.cancel();
        boost::beast::error_code ignored;
        socket.close(ignored);
        return self.complete({});
      }
    }
    // What the peer still sends is never looked at: every closing connection reads it into
    // the same buffer (16 KB each was 90 MB when 6,000 devices left at once).
    static char discard[chunk];
    socket.tcp_socket::async_read_some(boost::asio::buffer(discard), std::move(self));
  }
};

}  // namespace detail

template <class TeardownHandler>
void async_teardown(boost::beast::role_type, lingering_stream& stream, TeardownHandler&& handler) {
  boost::asio::async_compose<TeardownHandler, void(boost::beast::error_code)>(
      detail::lingering_close_op(stream), handler, stream);
}

}  // namespace archibald
