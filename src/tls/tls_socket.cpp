#include "tls/tls_socket.hpp"

#include <openssl/err.h>

#include <cerrno>
#include <string>

namespace archibald {
namespace {

class tls_error_category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "tls"; }
  std::string message(int value) const override {
    char text[256];
    ERR_error_string_n(static_cast<unsigned long>(value), text, sizeof text);
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(value));
    return reason ? reason : text;
  }
};

}  // namespace

const boost::system::error_category& tls_category() {
  static const tls_error_category category;
  return category;
}

namespace detail {

boost::system::error_code tls_failure(int ssl_error) {
  const unsigned long queued = ERR_get_error();
  ERR_clear_error();
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return boost::asio::error::eof;  // close_notify
  if (queued != 0) return {static_cast<int>(queued), tls_category()};
  if (ssl_error == SSL_ERROR_SYSCALL && errno != 0)
    return {errno, boost::system::system_category()};
  return boost::asio::error::eof;  // the peer closed without close_notify
}

char* tls_gather_buffer() {
  thread_local char buffer[tls_gather_bytes];
  return buffer;
}

}  // namespace detail

void tls_socket::start_tls(ssl_ptr ssl) {
  boost::system::error_code ignored;
  non_blocking(true, ignored);
  SSL_set_fd(ssl.get(), static_cast<int>(native_handle()));
  ssl_ = std::move(ssl);
}

void tls_socket::send_close_notify() {
  if (!ssl_ || failed_ || !is_open()) return;
  ERR_clear_error();
  if (SSL_is_init_finished(ssl_.get())) SSL_shutdown(ssl_.get());
  ERR_clear_error();
  failed_ = true;  // once
}

}  // namespace archibald
