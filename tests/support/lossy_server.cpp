// A deliberately lossy stand-in for archibald-realtime, for testing the load tools' loss
// detection (archibald-load and the k6 scripts): it speaks just enough of the protocol
// (WebSocket /ws/realtime with ?token=, "ping" → "pong", POST /api/realtime/publish and
// POST /api/sync/draft-orders with per-user seq) and drops every Nth event of each user — to
// every device — so the expected loss is known exactly (GET /dropped tells how many deliveries
// it withheld). Every write is acknowledged. With DEAF_FIRST=N it ignores the first N messages
// of every connection, as the Node original does with what arrives before its asynchronous
// token check has finished. Test-only.
//   archibald_lossy_server PORT SECRET [DROP_EVERY=10] [DEAF_FIRST=0]
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "auth/jwt.hpp"
#include "http/url.hpp"
#include "protocol/clock.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

struct device;
std::map<std::string, std::set<std::shared_ptr<device>>> devices_of;
std::map<std::string, std::int64_t> seq_of;
std::uint64_t drop_every = 10;
std::uint64_t dropped_deliveries = 0;  // GET /dropped: events dropped × devices they missed
std::uint64_t deaf_first = 0;          // messages ignored at the start of each connection

struct device : std::enable_shared_from_this<device> {
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> outbox;
  std::string user;
  std::uint64_t received = 0;
  explicit device(tcp::socket s) : ws(std::move(s)) {}

  void start(http::request<http::string_body> req) {
    ws.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      devices_of[self->user].insert(self);
      self->read();
    });
  }
  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        devices_of[self->user].erase(self);
        return;
      }
      if (++self->received > deaf_first && beast::buffers_to_string(self->buffer.data()) == "ping")
        self->send("pong");
      self->buffer.clear();
      self->read();
    });
  }
  void send(std::string text) {
    outbox.push_back(std::move(text));
    if (outbox.size() == 1) write();
  }
  void write() {
    ws.async_write(asio::buffer(outbox.front()),
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec) return;
                     self->outbox.pop_front();
                     if (!self->outbox.empty()) self->write();
                   });
  }
};

struct http_session : std::enable_shared_from_this<http_session> {
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::response<http::string_body> res;
  const archibald::jwt_verifier& verifier;
  http_session(tcp::socket s, const archibald::jwt_verifier& v)
      : stream(std::move(s)), verifier(v) {}

  // The user's next seq; its event goes to every device of the user unless it is an Nth.
  static std::size_t publish(const std::string& user, const json::value& type,
                             const json::value& payload) {
    const auto seq = ++seq_of[user];
    if (seq % static_cast<std::int64_t>(drop_every) == 0) {
      dropped_deliveries += devices_of[user].size();
      return 0;
    }
    const std::string event = json::serialize(
        json::object{{"type", type},
                     {"payload", payload},
                     {"timestamp", archibald::iso8601_utc_ms(archibald::wall_clock::now())},
                     {"seq", seq}});
    for (const auto& d : devices_of[user]) d->send(event);
    return devices_of[user].size();
  }

  void read() {
    req = {};
    http::async_read(stream, buffer, req,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->handle();
                     });
  }
  void handle() {
    const auto target = archibald::parse_target(req.target()).value_or(archibald::target_parts{});
    if (websocket::is_upgrade(req) && target.path == "/ws/realtime") {
      archibald::jwt_claims claims;
      const auto token = archibald::query_param(req.target(), "token");
      if (!token || verifier.verify(*token, archibald::epoch_s(archibald::wall_clock::now()),
                                    claims) != archibald::jwt_error::none)
        return reply(401, R"({"error":"auth"})");
      auto d = std::make_shared<device>(stream.release_socket());
      d->user = claims.user_id;
      return d->start(std::move(req));
    }
    if (req.method() == http::verb::post && target.path == "/api/realtime/publish") {
      boost::system::error_code ec;
      const auto body = json::parse(req.body(), ec);
      if (ec || !body.is_object()) return reply(400, R"({"error":"bad json"})");
      const auto delivered =
          publish(std::string(body.at("userId").as_string()), body.at("type"), body.at("payload"));
      return reply(200, R"({"success":true,"delivered":)" + std::to_string(delivered) + "}");
    }
    if (req.method() == http::verb::post && target.path == "/api/sync/draft-orders") {
      archibald::jwt_claims claims;
      const auto auth = req[http::field::authorization];
      if (!auth.starts_with("Bearer ") ||
          verifier.verify(auth.substr(7), archibald::epoch_s(archibald::wall_clock::now()),
                          claims) != archibald::jwt_error::none)
        return reply(401, R"({"error":"auth"})");
      boost::system::error_code ec;
      const auto body = json::parse(req.body(), ec);
      if (ec || !body.is_object() || !body.at("drafts").is_array())
        return reply(400, R"({"error":"bad json"})");
      json::array results;
      for (const auto& draft : body.at("drafts").as_array()) {
        const auto& id = draft.at("id");
        publish(claims.user_id, json::string("DRAFT_UPDATED"),
                json::object{{"draftId", id}, {"draft", draft}});
        results.push_back(json::object{{"id", id}, {"action", "updated"}});
      }
      return reply(200, json::serialize(json::object{{"success", true}, {"results", results}}));
    }
    if (target.path == "/dropped") return reply(200, std::to_string(dropped_deliveries));
    reply(404, R"({"error":"not found"})");
  }
  void reply(unsigned status, std::string body) {
    res = {static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    http::async_write(stream, res, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec && self->res.keep_alive()) self->read();
    });
  }
};

void accept(tcp::acceptor& acceptor, const archibald::jwt_verifier& verifier) {
  acceptor.async_accept([&](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<http_session>(std::move(s), verifier)->read();
    accept(acceptor, verifier);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: archibald_lossy_server PORT SECRET [DROP_EVERY] [DEAF_FIRST]\n";
    return 2;
  }
  if (argc > 3) drop_every = std::stoull(argv[3]);
  if (argc > 4) deaf_first = std::stoull(argv[4]);
  asio::io_context ioc;
  const archibald::jwt_verifier verifier(argv[2]);
  tcp::acceptor acceptor(
      ioc, {asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(std::stoi(argv[1]))});
  accept(acceptor, verifier);
  std::cout << "listening" << std::endl;
  ioc.run();
}
