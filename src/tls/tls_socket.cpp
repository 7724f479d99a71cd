#include "tls/tls_socket.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
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

// OpenSSL's socket BIO writes with write(): a peer that has gone raises SIGPIPE, which ends a
// process that did not ignore it (a client, a test). This one sends with MSG_NOSIGNAL, as Asio
// does, and is otherwise the socket BIO: the descriptor in the BIO's data, retries flagged on
// EAGAIN.
int retry_or_fail(BIO* bio, ssize_t n, bool reading) {
  BIO_clear_retry_flags(bio);
  if (n >= 0) return static_cast<int>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
    if (reading) {
      BIO_set_retry_read(bio);
    } else {
      BIO_set_retry_write(bio);
    }
  }
  return -1;
}

int fd_of(BIO* bio) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

int socket_write(BIO* bio, const char* data, int size) {
  return retry_or_fail(bio, ::send(fd_of(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL),
                       false);
}

int socket_read(BIO* bio, char* data, int size) {
  const ssize_t n = ::recv(fd_of(bio), data, static_cast<std::size_t>(size), 0);
  if (n == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
  return retry_or_fail(bio, n, true);
}

long socket_ctrl(BIO*, int command, long, void*) {
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int socket_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* nosignal_socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                 "archibald socket");
    BIO_meth_set_write(m, socket_write);
    BIO_meth_set_read(m, socket_read);
    BIO_meth_set_ctrl(m, socket_ctrl);
    BIO_meth_set_create(m, socket_create);
    return m;
  }();
  return method;
}

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
  BIO* bio = BIO_new(nosignal_socket_method());
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(native_handle())));
  SSL_set_bio(ssl.get(), bio, bio);  // the SSL owns it (one reference for both directions)
  ssl_ = std::move(ssl);
}

bool tls_socket::idle() {
  if (!is_open()) return false;
  char byte;
  const ssize_t n = ::recv(native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void tls_socket::send_close_notify() {
  if (!ssl_ || failed_ || !is_open()) return;
  ERR_clear_error();
  if (SSL_is_init_finished(ssl_.get())) SSL_shutdown(ssl_.get());
  ERR_clear_error();
  failed_ = true;  // once
}

}  // namespace archibald
