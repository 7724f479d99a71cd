// Kept-alive HTTP/1.1 connections to one server shared by many callers of one thread: a
// request waits in a FIFO queue for a free connection, which reconnects by itself after the
// server closed it. A request is never resent: a failure mid-exchange is reported as such.
// Single-threaded: everything runs on the io_context it was made with.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace archibald {

class tls_client_context;

struct http_async_response {
  int status = 0;  // 0: no response (error says why)
  std::string body;
  std::string error;
  std::chrono::nanoseconds duration{0};  // from the request leaving to the response, no queueing
};

class http_async_pool {
 public:
  using callback = std::function<void(http_async_response&&)>;

  http_async_pool(boost::asio::io_context& ioc, std::string address, std::uint16_t port,
                  std::size_t connections, std::vector<std::string> source_addresses = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(10),
                  const tls_client_context* tls = nullptr);  // https:// (outlives the pool)
  ~http_async_pool();
  http_async_pool(const http_async_pool&) = delete;
  http_async_pool& operator=(const http_async_pool&) = delete;

  void request(std::string method, std::string target, std::string body, std::string authorization,
               callback done);
  std::size_t queued() const;
  std::size_t busy() const;
  // Closes every connection; queued requests fail.
  void shutdown();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace archibald
