// Tokens out of URLs (first-message AUTH), in-band refresh, enforced expiry and secret
// rotation, against the real server.
#include "protocol/clock.hpp"
#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

std::string auth_message(const std::string& token) {
  return R"({"type":"AUTH","token":")" + token + R"("})";
}

// Connects to /ws/realtime<query> without a token and sends the AUTH message.
std::unique_ptr<ws_client> open_by_message(server_process& server, const std::string& token,
                                           const std::string& query = {}) {
  auto client = std::make_unique<ws_client>();
  EXPECT_EQ(client->connect(server.host(), server.port(), "/ws/realtime" + query), "");
  EXPECT_TRUE(client->send_text(auth_message(token)));
  return client;
}

std::int64_t expiry_of(const std::string& token) {
  jwt_claims claims;
  EXPECT_EQ(jwt_verifier(test_secret).verify(token, epoch_s(wall_clock::now()), claims),
            jwt_error::none);
  return claims.expires_at;
}

TEST(InBandAuth, TheFirstMessageAuthenticatesAndIsAnsweredWithTheExpiry) {
  server_process server;
  const std::string token = server_process::token("u-1");
  auto device = open_by_message(server, token);
  const auto ok = next_event(*device);
  EXPECT_EQ(ok.at("type"), "AUTH_OK");
  EXPECT_EQ(ok.at("payload").at("exp").to_number<std::int64_t>(), expiry_of(token));
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 1));
  ASSERT_EQ(publish(server, "u-1", "X").status, 200);
  EXPECT_EQ(next_event(*device).at("type"), "X");
  ASSERT_TRUE(device->send_text("ping"));
  EXPECT_EQ(device->read(5s).text, "pong");
}

TEST(InBandAuth, NothingIsDeliveredBeforeTheAuthMessage) {
  server_process server;
  ws_client waiting;
  ASSERT_EQ(waiting.connect(server.host(), server.port(), "/ws/realtime"), "");
  auto other = open_device(server, "u-1");
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 1));  // the waiting one is not counted
  ASSERT_EQ(publish(server, "u-1", "BEFORE").status, 200);
  EXPECT_EQ(next_event(*other).at("type"), "BEFORE");
  EXPECT_EQ(waiting.read(300ms).what, ws_event::kind::timeout);
  ASSERT_TRUE(waiting.send_text(auth_message(server_process::token("u-1"))));
  EXPECT_EQ(next_event(waiting).at("type"), "AUTH_OK");
  ASSERT_EQ(publish(server, "u-1", "AFTER").status, 200);
  EXPECT_EQ(next_event(waiting).at("type"), "AFTER");
}

TEST(InBandAuth, AFirstMessageAuthReplaysFromTheUrlsLastSeqAfterAuthOk) {
  server_process server;
  ASSERT_EQ(results_of(post_drafts(server, "u-1", draft_json("d-1", 1))).size(), 1u);
  ASSERT_EQ(results_of(post_drafts(server, "u-1", draft_json("d-2", 2))).size(), 1u);
  auto device = open_by_message(server, server_process::token("u-1"), "?lastSeq=1");
  EXPECT_EQ(next_event(*device).at("type"), "AUTH_OK");
  const auto replayed = next_event(*device);
  EXPECT_EQ(replayed.at("seq"), 2);
  EXPECT_EQ(replayed.at("payload").at("draftId"), "d-2");
}

TEST(InBandAuth, ABadMissingOrLateAuthMessageClosesWith1008) {
  server_process server({{"HANDSHAKE_TIMEOUT_MS", "600"}});
  const std::string forged = sign_jwt_raw(R"({"alg":"HS256"})", R"({"userId":"u-1"})", "wrong");
  for (const std::string& first :
       {std::string("ping"), auth_message("garbage"), auth_message(forged),
        std::string(R"({"type":"AUTH"})"), std::string(R"({"type":"DRAFT_CREATED"})")}) {
    ws_client client;
    ASSERT_EQ(client.connect(server.host(), server.port(), "/ws/realtime"), "");
    ASSERT_TRUE(client.send_text(first));
    const auto ev = client.read(5s);
    ASSERT_EQ(ev.what, ws_event::kind::closed) << first;
    EXPECT_EQ(ev.close_code, 1008) << first;
    EXPECT_EQ(ev.close_reason, "Authentication failed");
  }
  ws_client silent;
  ASSERT_EQ(silent.connect(server.host(), server.port(), "/ws/realtime"), "");
  const auto ev = silent.read(5s);
  EXPECT_EQ(ev.close_code, 1008);
  EXPECT_EQ(stat(server, "authFailures"), 6);
  EXPECT_EQ(stat(server, "totalConnections"), 0);
}

TEST(InBandAuth, ARefreshWithTheSameUserIsAnsweredAndAnotherUserCloses) {
  server_process server;
  auto device = open_device(server, "u-1");
  const std::string longer = server_process::token("u-1", user_role::agent, {}, 7200);
  ASSERT_TRUE(device->send_text(auth_message(longer)));
  const auto ok = next_event(*device);
  EXPECT_EQ(ok.at("type"), "AUTH_OK");
  EXPECT_EQ(ok.at("payload").at("exp").to_number<std::int64_t>(), expiry_of(longer));
  ASSERT_EQ(publish(server, "u-1", "STILL_HERE").status, 200);
  EXPECT_EQ(next_event(*device).at("type"), "STILL_HERE");

  ASSERT_TRUE(device->send_text(auth_message(server_process::token("u-2"))));
  const auto ev = device->read(5s);
  ASSERT_EQ(ev.what, ws_event::kind::closed);
  EXPECT_EQ(ev.close_code, 1008);
  EXPECT_EQ(ev.close_reason, "Token is for another user");

  auto other = open_device(server, "u-1");
  ASSERT_TRUE(other->send_text(auth_message("not-a-token")));
  EXPECT_EQ(other->read(5s).close_code, 1008);
}

TEST(InBandAuth, AnEnforcedExpiryClosesAnUnrefreshedConnectionOnly) {
  server_process server({{"WS_ENFORCE_TOKEN_EXPIRY", "true"}});
  ws_client expiring, refreshed;
  const auto connect = [&](ws_client& c) {
    ASSERT_EQ(
        c.connect(server.host(), server.port(),
                  "/ws/realtime?token=" + server_process::token("u-1", user_role::agent, {}, 2)),
        "");
  };
  connect(expiring);
  connect(refreshed);
  ASSERT_TRUE(refreshed.send_text(auth_message(server_process::token("u-1"))));
  EXPECT_EQ(next_event(refreshed).at("type"), "AUTH_OK");
  const auto ev = expiring.read(6s);
  ASSERT_EQ(ev.what, ws_event::kind::closed);
  EXPECT_EQ(ev.close_code, 1008);
  EXPECT_EQ(ev.close_reason, "Token expired");
  ASSERT_TRUE(refreshed.send_text("ping"));
  EXPECT_EQ(refreshed.read(5s).text, "pong");
  EXPECT_TRUE(wait_for_stat(server, "totalConnections", 1));
}

TEST(InBandAuth, WithoutEnforcementAnExpiredTokenKeepsItsConnection) {
  server_process server;
  auto device = std::make_unique<ws_client>();
  ASSERT_EQ(device->connect(
                server.host(), server.port(),
                "/ws/realtime?token=" + server_process::token("u-1", user_role::agent, {}, 1)),
            "");
  EXPECT_EQ(device->read(2500ms).what, ws_event::kind::timeout);
  ASSERT_TRUE(device->send_text("ping"));
  EXPECT_EQ(device->read(5s).text, "pong");
}

TEST(InBandAuth, UrlTokensAreRefusedWhenDisabledAndTheOtherWaysStillWork) {
  server_process server({{"ALLOW_TOKEN_IN_URL", "false"}});
  auto url = open_device(server, "u-1");
  const auto ev = url->read(5s);
  ASSERT_EQ(ev.what, ws_event::kind::closed);
  EXPECT_EQ(ev.close_code, 1008);
  EXPECT_EQ(ev.close_reason, "Token in URL not allowed");
  ws_client header;
  ASSERT_EQ(header.connect(server.host(), server.port(), "/ws/realtime",
                           {{"Authorization", server_process::bearer("u-1")}}),
            "");
  auto message = open_by_message(server, server_process::token("u-1"));
  EXPECT_EQ(next_event(*message).at("type"), "AUTH_OK");
  EXPECT_TRUE(wait_for_stat(server, "totalConnections", 2));
}

TEST(InBandAuth, APreviousSecretStillVerifiesAndIsCountedApart) {
  server_process server({{"JWT_SECRET_PREVIOUS", "old-secret-1, old-secret-2"}});
  const std::string old_token = issue_token("old-secret-2", "u-1");
  auto old_device = open_by_message(server, old_token);
  EXPECT_EQ(next_event(*old_device).at("type"), "AUTH_OK");
  ws_client by_url;
  ASSERT_EQ(by_url.connect(server.host(), server.port(),
                           "/ws/realtime?token=" + issue_token("old-secret-1", "u-1")),
            "");
  auto random = open_by_message(server, issue_token("random-secret", "u-1"));
  EXPECT_EQ(random->read(5s).close_code, 1008);
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 2));

  const auto verifications = health(server).at("stats").at("tokenVerifications").as_object();
  EXPECT_EQ(verifications.at("previous-1"), 1);
  EXPECT_EQ(verifications.at("previous-2"), 1);
  EXPECT_GE(verifications.at("current").to_number<std::int64_t>(), 1);  // the health request's
  const auto metrics = http_request(server.host(), server.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(archibald_token_verifications_total{secret="previous-2"} 1)"),
            std::string::npos)
      << metrics;
}

}  // namespace
}  // namespace archibald::testing
