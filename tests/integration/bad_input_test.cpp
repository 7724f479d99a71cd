// Bad input never crashes the server and gets the documented answer (DESIGN §3).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

// Sends raw bytes over TCP and returns what the server answered (until it closes or 3 s).
std::string raw_exchange(server_process& server, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

TEST(BadInput, OversizeWebSocketMessageIsClosedWith1009) {
  server_process server({{"MAX_MESSAGE_BYTES", "1024"}});
  auto device = open_device(server, "u");
  ASSERT_TRUE(device->send_text(std::string(2000, 'x')));
  const auto ev = device->read(5s);
  ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.error;
  EXPECT_EQ(ev.close_code, 1009);
  EXPECT_TRUE(wait_for_stat(server, "totalConnections", 0));
}

TEST(BadInput, DefaultMessageLimitIs64KiB) {
  server_process server;
  auto ok = open_device(server, "u");
  ASSERT_TRUE(ok->send_text(std::string(60 * 1024, 'x')));
  ASSERT_TRUE(ok->send_text("ping"));
  EXPECT_EQ(ok->read(5s).text, "pong");
  ASSERT_TRUE(ok->send_text(std::string(65 * 1024, 'x')));
  EXPECT_EQ(ok->read(5s).close_code, 1009);
}

TEST(BadInput, MalformedAndUnknownMessagesAreIgnored) {
  server_process server;
  auto device = open_device(server, "u");
  for (const char* text : {"{not json", "[]", "{\"type\":42}", "PING", "", "null"})
    ASSERT_TRUE(device->send_text(text));
  ASSERT_TRUE(device->send_binary(std::string("\x00\x01\x02", 3)));
  ASSERT_TRUE(device->send_text("ping"));
  const auto ev = device->read(5s);
  ASSERT_EQ(ev.what, ws_event::kind::message);
  EXPECT_EQ(ev.text, "pong");
  const auto metrics = http_request(server.host(), server.port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("archibald_messages_ignored_total 7\n"), std::string::npos);
}

TEST(BadInput, InvalidUtf8IsAProtocolErrorClosedWith1007) {
  server_process server;
  auto device = open_device(server, "u");
  ASSERT_TRUE(device->send_text("\xff\xfe bad utf-8"));
  const auto ev = device->read(5s);
  ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.error;
  EXPECT_EQ(ev.close_code, 1007);
}

TEST(BadInput, AFloodIsClosedWith1008) {
  server_process server({{"WS_RATE_LIMIT", "5"}, {"WS_RATE_BURST", "10"}});
  auto device = open_device(server, "u");
  for (int i = 0; i < 40; ++i) device->send_text("hello");
  ws_event ev;
  do ev = device->read(5s);
  while (ev.what == ws_event::kind::message);
  ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.error;
  EXPECT_EQ(ev.close_code, 1008);
  EXPECT_EQ(ev.close_reason, "Rate limit exceeded");
}

TEST(BadInput, TooManyConnectionsForOneUserAreClosedWith1013) {
  server_process server({{"MAX_CONNECTIONS_PER_USER", "2"}});
  auto a = open_device(server, "u");
  auto b = open_device(server, "u");
  auto c = open_device(server, "u");
  const auto ev = c->read(5s);
  ASSERT_EQ(ev.what, ws_event::kind::closed);
  EXPECT_EQ(ev.close_code, 1013);
  auto other_user = open_device(server, "v");
  ASSERT_TRUE(other_user->send_text("ping"));
  EXPECT_EQ(other_user->read(5s).text, "pong");
}

TEST(BadInput, ConnectionsPastTheTotalCapAreClosedWith1013) {
  server_process server({{"MAX_CONNECTIONS", "2"}});
  auto a = open_device(server, "a");
  auto b = open_device(server, "b");
  auto c = open_device(server, "c");
  EXPECT_EQ(c->read(5s).close_code, 1013);
  const auto metrics = http_request(server.host(), server.port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("archibald_connections_rejected_total 1\n"), std::string::npos);
}

TEST(BadInput, OversizeHttpBodyIs413Json) {
  server_process server({{"MAX_HTTP_BODY_BYTES", "4096"}});
  const auto r = http_request(server.host(), server.port(), "POST", "/api/realtime/publish",
                              std::string(10'000, ' '),
                              {{"Authorization", server_process::bearer("ops", user_role::admin)}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(boost::json::parse(r.body).at("success"), false);
}

TEST(BadInput, MalformedHttpIs400AndTheServerCarriesOn) {
  server_process server;
  EXPECT_EQ(raw_exchange(server, "GARBAGE\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(raw_exchange(server, "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
                .rfind("HTTP/1.1 400", 0),
            0u);
  const std::string huge_header = "GET / HTTP/1.1\r\nX: " + std::string(40'000, 'a') + "\r\n\r\n";
  EXPECT_EQ(raw_exchange(server, huge_header).rfind("HTTP/1.1 431", 0), 0u);
  EXPECT_EQ(http_request(server.host(), server.port(), "GET", "/health/live").status, 200);
}

TEST(BadInput, AClientThatConnectsAndSaysNothingIsDroppedAfterTheHandshakeTimeout) {
  server_process server({{"HANDSHAKE_TIMEOUT_MS", "300"}});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(raw_exchange(server, ""), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
}

TEST(BadInput, UpgradeOnAnotherPathIs404AndForeignOriginIs403) {
  server_process server({{"ALLOWED_ORIGINS", "https://archibald.example"}});
  ws_client wrong_path;
  EXPECT_EQ(
      wrong_path
          .connect(server.host(), server.port(), "/elsewhere?token=" + server_process::token("u"))
          .rfind("HTTP 404", 0),
      0u);
  ws_client foreign;
  EXPECT_EQ(
      foreign
          .connect(server.host(), server.port(), "/ws/realtime?token=" + server_process::token("u"),
                   {{"Origin", "https://evil.example"}})
          .rfind("HTTP 403", 0),
      0u);
  ws_client allowed;
  EXPECT_EQ(allowed.connect(server.host(), server.port(),
                            "/ws/realtime?token=" + server_process::token("u"),
                            {{"Origin", "https://archibald.example"}}),
            "");
}

}  // namespace
}  // namespace archibald::testing

namespace archibald::testing {
namespace {

TEST(Capacity, ConnectionsPastTheOpenFileLimitAreClosedWith1013NotFailedInAccept) {
  // 400 descriptors: the server keeps 256 back, so it can hold 200 WebSocket connections.
  server_process server({}, {}, 400);
  EXPECT_NE(server.log().find("open-file limit 400 -> capacity 200"), std::string::npos)
      << server.log();
  std::vector<std::unique_ptr<ws_client>> devices;
  for (int i = 0; i < 250; ++i) devices.push_back(open_device(server, "u-" + std::to_string(i)));
  ASSERT_TRUE(wait_for_stat(server, "rejectedConnections", 50));
  int refused = 0;
  for (auto& d : devices) {
    const auto ev = d->read(10ms);  // the refused ones have their close frame waiting
    if (ev.what == ws_event::kind::closed) {
      EXPECT_EQ(ev.close_code, 1013);
      ++refused;
    }
  }
  EXPECT_EQ(refused, 50);
  EXPECT_EQ(stat(server, "totalConnections"), 200);
  EXPECT_EQ(stat(server, "rejectedConnections"), 50);
  // Capacity frees up as connections leave.
  devices.front()->close();
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 199));
  auto late = open_device(server, "late");
  ASSERT_TRUE(late->send_text("ping"));
  EXPECT_EQ(late->read(5s).text, "pong");
}

}  // namespace
}  // namespace archibald::testing
