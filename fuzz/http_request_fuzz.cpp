// The whole HTTP request path as a connection takes it: Beast's parser with the server's
// limits, the framing check, then the router (every route, storage included, on a throwaway
// SQLite store) or the WebSocket admission. An input may hold several pipelined requests.
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <vector>

#include "fuzz_input.hpp"
#include "http/request_framing.hpp"
#include "http/router.hpp"
#include "http/url.hpp"
#include "http/websocket_admission.hpp"
#include "store/sqlite_store.hpp"

using namespace archibald;
namespace http = boost::beast::http;

namespace {

struct server {
  server_config config;
  jwt_verifier verifier{"fuzz-secret"};
  connection_registry registry{registry_limits{}};
  server_metrics metrics;
  lifecycle life;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("archibald-fuzz-" + std::to_string(::getpid()));
  sqlite_store store{options(dir)};
  sync_service sync{store, registry, metrics};
  router routes{server_context{config, verifier, registry, metrics, life, sync}};

  static sqlite_store_options options(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    sqlite_store_options o;
    o.path = (dir / "fuzz.db").string();
    o.full_sync = false;
    return o;
  }
  ~server() {
    store.stop();
    std::filesystem::remove_all(dir);
  }
};

std::string_view view(boost::beast::string_view s) {
  return {s.data(), s.size()};
}

// Answers one request the way http_session does, and waits for the answer.
void answer(server& s, http::request<http::string_body>& req) {
  std::vector<std::string_view> codings;
  for (const auto& field : req)
    if (field.name() == http::field::transfer_encoding) codings.push_back(view(field.value()));
  if (transfer_encoding_error(req.version(), codings)) return;
  const http_request request{.method = view(req.method_string()),
                             .target = view(req.target()),
                             .authorization = view(req[http::field::authorization]),
                             .origin = view(req[http::field::origin]),
                             .body = req.body()};
  if (boost::beast::websocket::is_upgrade(req)) {
    if (parse_target(request.target)) admit_websocket(request, s.routes.context());
    return;
  }
  std::mutex m;
  std::condition_variable answered;
  bool done = false;
  s.routes.handle(request, [&](http_response response) {
    fuzz::require(response.status >= 100 && response.status <= 599, "a real status");
    std::lock_guard lock(m);
    done = true;
    answered.notify_one();
  });
  std::unique_lock lock(m);
  fuzz::require(answered.wait_for(lock, std::chrono::seconds(10), [&] { return done; }),
                "every request is answered");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static server s;
  auto input = boost::asio::buffer(data, size);
  for (int pipelined = 0; pipelined < 4 && input.size() > 0; ++pipelined) {
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    parser.header_limit(16 * 1024);
    parser.body_limit(s.config.max_http_body_bytes);
    boost::beast::error_code ec;
    while (!parser.is_done() && input.size() > 0) {
      const std::size_t used = parser.put(input, ec);
      input += used;
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec || used == 0) break;
    }
    if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
    answer(s, parser.get());
  }
  return 0;
}
