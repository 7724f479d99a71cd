// A TCP socket that speaks TLS when told to: the byte stream under every server session (plain
// or TLS on the same port: TLS_MODE=flex) and under the project's clients (wss://, https://).
//
// OpenSSL is driven directly on the socket's descriptor (a BIO on a non-blocking socket;
// an SSL call that wants to read or write waits on the socket with Asio, then tries again)
// rather than through asio::ssl::stream / beast::ssl_stream. Those keep two 17 KB buffers per
// connection for their whole life, zero-filled (so resident) at construction, plus OpenSSL's
// BIO pair of two more: ≈ 70 KB per idle connection where the target is 12 KB. Here an idle
// connection holds its SSL object only: SSL_MODE_RELEASE_BUFFERS frees OpenSSL's record
// buffers whenever they are empty.
//
// Beast's websocket::stream and http::async_read / async_write use it as any AsyncStream; one
// read and one write may be pending at once (a WebSocket's read loop and its writer), never two
// of the same kind. Runs on the socket's executor, like every other operation on it.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <memory>
#include <optional>

namespace archibald {

struct ssl_free_deleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using ssl_ptr = std::unique_ptr<SSL, ssl_free_deleter>;

// The error of a failed TLS call: its OpenSSL reason ("certificate verify failed", …).
const boost::system::error_category& tls_category();

class tls_socket : public boost::asio::ip::tcp::socket {
 public:
  using tcp_socket = boost::asio::ip::tcp::socket;
  explicit tls_socket(tcp_socket&& socket) : tcp_socket(std::move(socket)) {}
  template <class ExecutionContextOrExecutor>
  explicit tls_socket(ExecutionContextOrExecutor& where) : tcp_socket(where) {}

  // From now on the bytes are TLS records: `ssl` (server or client state already set) runs over
  // this socket's descriptor, which becomes non-blocking. The connection must be open.
  void start_tls(ssl_ptr ssl);
  bool is_tls() const { return ssl_ != nullptr; }
  SSL* ssl() const { return ssl_.get(); }

  // TLS handshake: void(error_code). Bounded by whoever closes the socket (a deadline).
  template <class Token>
  auto async_handshake(Token&& token);

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token);
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token);

  // Whether a kept-alive connection can take the next request: open with nothing to read. An
  // idle HTTP/1.1 connection has nothing; end of file, an error or pending bytes (a TLS
  // close_notify) mean the peer has closed it or is closing it. Never blocks.
  bool idle();

  // Sends TLS close_notify, once, best effort (never waits); nothing for a plain socket or a
  // TLS connection that failed (OpenSSL forbids a shutdown then).
  void send_close_notify();

 private:
  template <class Attempt, bool with_size>
  friend struct tls_call_op;
  ssl_ptr ssl_;
  bool failed_ = false;  // a fatal TLS error: no close_notify
};

namespace detail {

// The error a failed SSL call reports; clears OpenSSL's error queue.
boost::system::error_code tls_failure(int ssl_error);

}  // namespace detail

// Tries an SSL call; when it wants the socket readable or writable, waits for that and tries
// again. Never completes inside the initiating call (the result is posted then).
template <class Attempt, bool with_size>
struct tls_call_op {
  tls_socket& socket;
  Attempt attempt;  // int(std::size_t& n): the SSL call's return value
  std::size_t n = 0;
  std::optional<boost::system::error_code> result;
  bool waited = false;

  template <class Self>
  void operator()(Self& self, boost::system::error_code ec = {}) {
    if (!result && ec) result = ec;
    if (!result) {
      ERR_clear_error();
      const int r = attempt(n);
      if (r > 0) {
        result.emplace();
      } else {
        const int error = SSL_get_error(socket.ssl(), r);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
          waited = true;
          socket.tcp_socket::async_wait(error == SSL_ERROR_WANT_READ
                                            ? boost::asio::socket_base::wait_read
                                            : boost::asio::socket_base::wait_write,
                                        std::move(self));
          return;
        }
        if (error == SSL_ERROR_SSL || error == SSL_ERROR_SYSCALL) socket.failed_ = true;
        result = detail::tls_failure(error);
        n = 0;
      }
    }
    if (!waited) {
      waited = true;
      boost::asio::post(socket.get_executor(), std::move(self));
      return;
    }
    if constexpr (with_size) {
      self.complete(*result, n);
    } else {
      self.complete(*result);
    }
  }
};

template <bool with_size, class Token, class Attempt>
auto async_tls_call(tls_socket& socket, Attempt attempt, Token&& token) {
  using signature = std::conditional_t<with_size, void(boost::system::error_code, std::size_t),
                                       void(boost::system::error_code)>;
  return boost::asio::async_compose<Token, signature>(
      tls_call_op<Attempt, with_size>{socket, std::move(attempt), 0, std::nullopt, false}, token,
      socket);
}

template <class Token>
auto tls_socket::async_handshake(Token&& token) {
  SSL* ssl = ssl_.get();
  return async_tls_call<false>(
      *this, [ssl](std::size_t&) { return SSL_do_handshake(ssl); }, std::forward<Token>(token));
}

template <class MutableBuffers, class Token>
auto tls_socket::async_read_some(const MutableBuffers& buffers, Token&& token) {
  if (!ssl_) return tcp_socket::async_read_some(buffers, std::forward<Token>(token));
  boost::asio::mutable_buffer first;
  for (auto it = boost::asio::buffer_sequence_begin(buffers);
       it != boost::asio::buffer_sequence_end(buffers) && first.size() == 0; ++it)
    first = *it;
  SSL* ssl = ssl_.get();
  return async_tls_call<true>(
      *this,
      [ssl, first](std::size_t& n) {
        if (first.size() == 0) return 1;
        return SSL_read_ex(ssl, first.data(), first.size(), &n);
      },
      std::forward<Token>(token));
}

namespace detail {
// Several buffers (a WebSocket frame's header and payload) go out as one TLS record, copied
// here first: a record per buffer would send the 2-byte header in a 24-byte record of its own.
inline constexpr std::size_t tls_gather_bytes = 16 * 1024;
char* tls_gather_buffer();  // per thread
}  // namespace detail

template <class ConstBuffers, class Token>
auto tls_socket::async_write_some(const ConstBuffers& buffers, Token&& token) {
  if (!ssl_) return tcp_socket::async_write_some(buffers, std::forward<Token>(token));
  SSL* ssl = ssl_.get();
  return async_tls_call<true>(
      *this,
      [ssl, buffers](std::size_t& n) {
        const auto begin = boost::asio::buffer_sequence_begin(buffers);
        const auto end = boost::asio::buffer_sequence_end(buffers);
        if (boost::asio::buffer_size(buffers) == 0) return 1;
        if (std::next(begin) == end) {
          const boost::asio::const_buffer b = *begin;
          return SSL_write_ex(ssl, b.data(), b.size(), &n);
        }
        // Copied again on a retry: OpenSSL then gets the same bytes (at a moved address).
        char* gather = detail::tls_gather_buffer();
        const std::size_t size = boost::asio::buffer_copy(
            boost::asio::buffer(gather, detail::tls_gather_bytes), buffers);
        return SSL_write_ex(ssl, gather, size, &n);
      },
      std::forward<Token>(token));
}

// Beast's WebSocket teardown for a client's tls_socket: close_notify, then the socket's own.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, tls_socket& socket, TeardownHandler&& handler) {
  socket.send_close_notify();
  boost::beast::websocket::async_teardown(role, static_cast<boost::asio::ip::tcp::socket&>(socket),
                                          std::forward<TeardownHandler>(handler));
}

}  // namespace archibald
