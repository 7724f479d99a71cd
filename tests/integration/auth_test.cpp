// WebSocket and REST authentication against the real server (DESIGN §2.1).
#include "auth/base64url.hpp"
#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

class AuthTest : public ::testing::Test {
 protected:
  // A connection opened without a token has this long to send its AUTH message.
  server_process server{{"HANDSHAKE_TIMEOUT_MS", "1000"}};

  ws_event connect_and_read(const std::string& target, const header_list& headers = {}) {
    ws_client client;
    EXPECT_EQ(client.connect(server.host(), server.port(), target, headers), "");
    EXPECT_EQ(client.handshake_status(), 101);
    return client.read(5s);
  }
};

TEST_F(AuthTest, AValidTokenInTheQueryOpensALiveConnection) {
  auto device = open_device(server, "u-1001");
  ASSERT_TRUE(device->send_text("ping"));
  const auto reply = device->read(5s);
  ASSERT_EQ(reply.what, ws_event::kind::message);
  EXPECT_EQ(reply.text, "pong");
  EXPECT_TRUE(wait_for_stat(server, "totalConnections", 1));
}

TEST_F(AuthTest, AValidTokenInTheAuthorizationHeaderIsAccepted) {
  ws_client client;
  ASSERT_EQ(client.connect(server.host(), server.port(), "/ws/realtime",
                           {{"Authorization", server_process::bearer("u-7")}}),
            "");
  ASSERT_TRUE(client.send_text("ping"));
  EXPECT_EQ(client.read(5s).text, "pong");
}

TEST_F(AuthTest, MissingBadExpiredAndAlgNoneTokensAreClosedWith1008) {
  const std::string none_token = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                                 base64url_encode(R"({"userId":"u-1","role":"admin"})") + ".";
  const std::string forged = sign_jwt_raw(R"({"alg":"HS256"})", R"({"userId":"u-1"})", "wrong");
  const std::string hs512 = sign_jwt_raw(R"({"alg":"HS512"})", R"({"userId":"u-1"})", test_secret);
  const std::string expired = server_process::token("u-1", user_role::agent, {}, -3600);
  for (const std::string& target :
       std::vector<std::string>{"/ws/realtime", "/ws/realtime?token=not-a-jwt",
                                "/ws/realtime?token=" + forged, "/ws/realtime?token=" + none_token,
                                "/ws/realtime?token=" + hs512, "/ws/realtime?token=" + expired}) {
    const auto ev = connect_and_read(target);
    ASSERT_EQ(ev.what, ws_event::kind::closed) << target << " " << ev.error;
    EXPECT_EQ(ev.close_code, 1008);
    EXPECT_EQ(ev.close_reason, "Authentication failed");
  }
  const auto ev = connect_and_read("/ws/realtime", {{"Authorization", "Bearer " + forged}});
  EXPECT_EQ(ev.close_code, 1008);
  EXPECT_EQ(stat(server, "totalConnections"), 0);
  EXPECT_EQ(stat(server, "authFailures"), 7);
}

TEST_F(AuthTest, TokensNeverReachTheLog) {
  const std::string secret_token = server_process::token("u-1", user_role::agent, {}, -3600);
  connect_and_read("/ws/realtime?token=" + secret_token);
  http_request(server.host(), server.port(), "GET", "/api/websocket/health", {},
               {{"Authorization", "Bearer " + secret_token}});
  EXPECT_EQ(server.log().find(secret_token.substr(secret_token.rfind('.') + 1)), std::string::npos);
}

TEST_F(AuthTest, RestEndpointsAnswer401And403AsJson) {
  auto r = http_request(server.host(), server.port(), "GET", "/api/websocket/health");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(boost::json::parse(r.body).at("success"), false);
  r = http_request(server.host(), server.port(), "GET", "/api/websocket/health", {},
                   {{"Authorization", server_process::bearer("u-1")}});
  EXPECT_EQ(r.status, 403);
  r = http_request(server.host(), server.port(), "POST", "/api/realtime/publish",
                   R"({"userId":"u-1","type":"X"})",
                   {{"Authorization", server_process::bearer("u-1")}});
  EXPECT_EQ(r.status, 403);
}

}  // namespace
}  // namespace archibald::testing
