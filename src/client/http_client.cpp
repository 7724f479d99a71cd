#include "client/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>

#include "tls/tls_context.hpp"

namespace archibald {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct http_connection::impl {
  std::string host;
  std::uint16_t port;
  const tls_client_context* tls = nullptr;
  asio::io_context ioc;
  std::optional<tls_socket> stream;
  beast::flat_buffer buffer;

  // Runs the loop until done(), or closes the connection at the deadline (what is pending then
  // fails, and done() follows). False on timeout.
  template <class Done>
  bool run_for(std::chrono::milliseconds timeout, Done done) {
    asio::steady_timer deadline(ioc);
    bool expired = false;
    deadline.expires_after(timeout);
    deadline.async_wait([&](beast::error_code ec) {
      if (ec || !stream) return;
      expired = true;
      beast::error_code ignored;
      stream->close(ignored);
    });
    ioc.restart();
    while (!done() && ioc.run_one() != 0) {
    }
    deadline.cancel();
    ioc.restart();
    ioc.poll();
    return !expired;
  }

  std::string connect(std::chrono::milliseconds timeout) {
    stream.reset();
    buffer.clear();
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return "resolve: " + ec.message();
    stream.emplace(ioc);
    std::optional<beast::error_code> result;
    const char* stage = "connect";
    asio::async_connect(*stream, endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      if (e || !tls) return void(result = e);
      stage = "tls handshake";
      stream->start_tls(tls->new_ssl(host));
      stream->async_handshake([&](beast::error_code e2) { result = e2; });
    });
    const bool in_time = run_for(timeout, [&] { return result.has_value(); });
    if (!in_time || !result || *result) {
      stream.reset();
      return std::string(stage) + ": " +
             (in_time && result ? result->message() : std::string("timeout"));
    }
    return {};
  }
};

http_connection::http_connection(std::string host, std::uint16_t port,
                                 const tls_client_context* tls)
    : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->tls = tls;
}

http_connection::~http_connection() = default;

std::uint16_t http_connection::local_port() const {
  beast::error_code ec;
  if (!impl_->stream) return 0;
  const auto endpoint = impl_->stream->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

http_result http_connection::request(std::string_view method, std::string_view target,
                                     std::string_view body, const header_list& headers,
                                     std::chrono::milliseconds timeout, bool keep_alive) {
  impl& s = *impl_;
  http_result out;
  if (!s.stream || !s.stream->idle()) {
    out.error = s.connect(timeout);
    if (!out.error.empty()) return out;
  }

  http::request<http::string_body> req;
  req.method_string({method.data(), method.size()});
  req.target({target.data(), target.size()});
  req.version(11);
  req.set(http::field::host, s.host + ":" + std::to_string(s.port));
  req.keep_alive(keep_alive);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  req.prepare_payload();

  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);
  bool done = false;
  http::async_write(*s.stream, req, [&](beast::error_code, std::size_t) {
    // A server may answer (413, 431) and close before reading all we sent: read anyway.
    http::async_read(*s.stream, s.buffer, parser, [&](beast::error_code e, std::size_t) {
      if (e) out.error = "read: " + e.message();
      done = true;
    });
  });
  if (!s.run_for(timeout, [&] { return done; })) out.error = "read: timeout";

  if (parser.is_header_done()) {
    const auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.content_type = std::string(res[http::field::content_type]);
    for (const auto& field : res) out.headers.emplace_back(field.name_string(), field.value());
    if (parser.is_done()) out.error.clear();
  }
  if (!out.error.empty() || !parser.is_done() || !parser.get().keep_alive() || !keep_alive) {
    beast::error_code ignored;
    s.stream->shutdown(tcp::socket::shutdown_both, ignored);
    s.stream.reset();
  }
  return out;
}

http_result http_request(const std::string& host, std::uint16_t port, std::string_view method,
                         std::string_view target, std::string_view body, const header_list& headers,
                         std::chrono::milliseconds timeout, const tls_client_context* tls) {
  return http_connection(host, port, tls).request(method, target, body, headers, timeout, false);
}

}  // namespace archibald
