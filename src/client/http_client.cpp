#include "client/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace archibald {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

http_result http_request(const std::string& host, std::uint16_t port, std::string_view method,
                         std::string_view target, std::string_view body, const header_list& headers,
                         std::chrono::milliseconds timeout) {
  http_result out;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);

  req.method_string({method.data(), method.size()});
  req.target({target.data(), target.size()});
  req.version(11);
  req.set(http::field::host, host + ":" + std::to_string(port));
  req.set(http::field::connection, "close");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  req.prepare_payload();

  tcp::resolver resolver(ioc);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) {
    out.error = "resolve: " + ec.message();
    return out;
  }
  stream.expires_after(timeout);
  stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    if (e) {
      out.error = "connect: " + e.message();
      return;
    }
    http::async_write(stream, req, [&](beast::error_code e2, std::size_t) {
      // A server may answer (413, 431) and close before reading all we sent: read anyway.
      (void)e2;
      http::async_read(stream, buffer, parser, [&](beast::error_code e3, std::size_t) {
        if (e3) out.error = "read: " + e3.message();
      });
    });
  });
  ioc.run();

  if (parser.is_header_done()) {
    const auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.content_type = std::string(res[http::field::content_type]);
    for (const auto& field : res) out.headers.emplace_back(field.name_string(), field.value());
    if (parser.is_done()) out.error.clear();
  }
  return out;
}

}  // namespace archibald
