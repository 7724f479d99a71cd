#include "http/websocket_admission.hpp"

#include <gtest/gtest.h>

#include "http/url.hpp"
#include "support/temp_store.hpp"

namespace archibald {
namespace {

class AdmissionTest : public ::testing::Test {
 protected:
  server_config config;
  jwt_verifier verifier{"s3cret"};
  connection_registry registry{{}};
  server_metrics metrics;
  lifecycle life;
  testing::temp_store db;
  sync_service sync{db.store(), registry, metrics};
  server_context ctx{config, verifier, registry, metrics, life, sync};

  static std::string token(std::int64_t expires_in = 600) {
    jwt_claims c;
    c.user_id = "u-1001";
    c.device_id = "tablet-7f3a";
    c.expires_at = epoch_s(wall_clock::now()) + expires_in;
    return sign_jwt(c, "s3cret");
  }
  websocket_admission admit(const std::string& target, std::string_view authorization = {},
                            std::string_view origin = {}) {
    return admit_websocket({"GET", target, authorization, origin, {}}, ctx);
  }
};

TEST_F(AdmissionTest, AcceptsATokenInTheQuery) {
  const auto a = admit("/ws/realtime?token=" + token() + "&lastSeq=41&deviceId=phone-1");
  ASSERT_EQ(a.outcome, websocket_admission::verdict::accept);
  EXPECT_EQ(a.claims.user_id, "u-1001");
  EXPECT_EQ(a.device_id, "phone-1");
  EXPECT_EQ(a.last_seq, 41);
}

TEST_F(AdmissionTest, AcceptsABearerHeaderAndFallsBackToTheTokensDevice) {
  const auto a = admit("/ws/realtime?lastEventTs=2026-11-26T09:42:03.456Z", "Bearer " + token());
  ASSERT_EQ(a.outcome, websocket_admission::verdict::accept);
  EXPECT_EQ(a.device_id, "tablet-7f3a");
  EXPECT_TRUE(a.last_event_ts.has_value());
  EXPECT_FALSE(a.last_seq.has_value());
}

TEST_F(AdmissionTest, ClosesWith1008WhenTheTokenIsBadOrExpired) {
  for (const std::string& target :
       {std::string("/ws/realtime?token=garbage"), "/ws/realtime?token=" + token(-3600),
        std::string("/ws/realtime?token=a.b.c"), std::string("/ws/realtime?token=x&lastSeq=4")}) {
    const auto a = admit(target);
    EXPECT_EQ(a.outcome, websocket_admission::verdict::close_after_handshake) << target;
    EXPECT_EQ(a.close_code, 1008);
    EXPECT_EQ(a.close_reason, "Authentication failed");
  }
  EXPECT_EQ(read(metrics.auth_failures), 4u);
}

TEST_F(AdmissionTest, WithoutATokenItWaitsForTheAuthMessageAndKeepsTheResumePoint) {
  for (const char* target : {"/ws/realtime", "/ws/realtime?token=&lastSeq=7&deviceId=p"}) {
    const auto a = admit(target);
    EXPECT_EQ(a.outcome, websocket_admission::verdict::await_auth) << target;
  }
  const auto a = admit("/ws/realtime?lastSeq=7&deviceId=phone-2");
  EXPECT_EQ(a.last_seq, 7);
  EXPECT_EQ(a.device_id, "phone-2");
  EXPECT_EQ(read(metrics.auth_failures), 0u);
}

TEST_F(AdmissionTest, AUrlTokenIsRefusedWhenUrlTokensAreNotAllowed) {
  config.allow_token_in_url = false;
  const auto a = admit("/ws/realtime?token=" + token());
  EXPECT_EQ(a.outcome, websocket_admission::verdict::close_after_handshake);
  EXPECT_EQ(a.close_code, 1008);
  EXPECT_EQ(a.close_reason, "Token in URL not allowed");
  EXPECT_EQ(admit("/ws/realtime", "Bearer " + token()).outcome,
            websocket_admission::verdict::accept);
  EXPECT_EQ(read(metrics.auth_failures), 1u);
}

TEST_F(AdmissionTest, RefusesOriginsOutsideTheAllowList) {
  config.allowed_origins = {"https://archibald.example"};
  EXPECT_EQ(admit("/ws/realtime?token=" + token(), {}, "https://evil.example").outcome,
            websocket_admission::verdict::refuse_http);
  EXPECT_EQ(admit("/ws/realtime?token=" + token(), {}, "https://archibald.example").outcome,
            websocket_admission::verdict::accept);
}

TEST_F(AdmissionTest, IgnoresAMalformedLastSeq) {
  EXPECT_FALSE(admit("/ws/realtime?token=" + token() + "&lastSeq=12abc").last_seq.has_value());
  EXPECT_FALSE(admit("/ws/realtime?token=" + token() + "&lastSeq=-1").last_seq.has_value());
}

}  // namespace
}  // namespace archibald
