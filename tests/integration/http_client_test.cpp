// The client library's keep-alive HTTP connection against the real server.
#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

TEST(HttpConnection, ReusesOneConnectionAcrossRequests) {
  server_process server;
  http_connection connection(server.host(), server.port());
  ASSERT_EQ(connection.request("GET", "/health/live").status, 200);
  const std::uint16_t port = connection.local_port();
  ASSERT_NE(port, 0);
  for (int i = 0; i < 20; ++i) {
    const auto r =
        connection.request("POST", "/api/sync/draft-orders",
                           R"({"drafts":[)" + draft_json("k" + std::to_string(i), i) + "]}",
                           {{"Authorization", server_process::bearer("u")}});
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(connection.local_port(), port);
  }
}

TEST(HttpConnection, ReconnectsAfterTheServerClosedAnIdleConnection) {
  server_process server({{"HTTP_IDLE_TIMEOUT_MS", "100"}});
  http_connection connection(server.host(), server.port());
  ASSERT_EQ(connection.request("GET", "/health/live").status, 200);
  const std::uint16_t first = connection.local_port();
  std::this_thread::sleep_for(400ms);  // the server drops the idle connection
  const auto r = connection.request("GET", "/health/ready");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_NE(connection.local_port(), first);
}

TEST(HttpConnection, ReconnectsAfterAnAnswerThatClosedTheConnection) {
  server_process server({{"MAX_HTTP_BODY_BYTES", "2048"}});
  http_connection connection(server.host(), server.port());
  EXPECT_EQ(connection.request("POST", "/api/realtime/publish", std::string(5000, ' ')).status,
            413);
  EXPECT_EQ(connection.request("GET", "/health/live").status, 200);
}

}  // namespace
}  // namespace archibald::testing
