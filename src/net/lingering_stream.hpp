// The TCP stream under every server WebSocket: a beast::tcp_stream whose WebSocket teardown
// lingers. After the close frame it half-closes, then reads and discards what the peer still
// sends (at most linger_bytes, for at most linger_time) until the peer's FIN, and only then
// closes. Closing with unread input makes the kernel send a reset, and a reset destroys the
// close frame still in the peer's receive queue: a client that sent a too-big message saw 1006
// instead of 1009. Beast 1.81's own teardown stops after one read (it tests the completion's
// byte count before the read sets it), so it is replaced here.
//
// Beast's websocket::stream finds async_teardown by argument-dependent lookup on its next
// layer; this overload is an exact match and wins over Beast's for basic_stream. Server role
// only. Runs on the stream's executor, like every other operation on it.
#pragma once

#include <boost/asio/compose.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace archibald {

class lingering_stream : public boost::beast::tcp_stream {
 public:
  explicit lingering_stream(boost::beast::tcp_stream&& stream)
      : boost::beast::tcp_stream(std::move(stream)) {}

  // Called when the teardown starts, on the stream's executor: a connection that Beast itself
  // fails (1009, 1007, 1002) can leave its registry then rather than after the linger.
  std::function<void()> on_teardown;
};

inline constexpr std::size_t linger_bytes = 64u << 20;
inline constexpr std::chrono::seconds linger_time{2};

namespace detail {

struct lingering_close_op {
  static constexpr std::size_t chunk = 16 * 1024;
  lingering_stream& stream;
  std::unique_ptr<char[]> discard = std::make_unique<char[]>(chunk);
  std::size_t drained = 0;
  bool started = false;

  template <class Self>
  void operator()(Self& self, boost::beast::error_code ec = {}, std::size_t bytes = 0) {
    if (!started) {
      started = true;
      if (stream.on_teardown) stream.on_teardown();
      // FIN right after the close frame; a failure shows up as the read's error below.
      boost::beast::error_code ignored;
      stream.socket().shutdown(boost::asio::socket_base::shutdown_send, ignored);
      stream.expires_after(linger_time);
    } else {
      drained += bytes;
      if (ec || drained >= linger_bytes) {  // the peer's FIN (eof), the time bound, or enough
        boost::beast::error_code ignored;
        stream.socket().close(ignored);
        return self.complete({});
      }
    }
    stream.async_read_some(boost::asio::buffer(discard.get(), chunk), std::move(self));
  }
};

}  // namespace detail

template <class TeardownHandler>
void async_teardown(boost::beast::role_type, lingering_stream& stream, TeardownHandler&& handler) {
  boost::asio::async_compose<TeardownHandler, void(boost::beast::error_code)>(
      detail::lingering_close_op{stream}, handler, stream);
}

}  // namespace archibald
