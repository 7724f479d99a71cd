// Publish → fan-out to every device of a user and nobody else (DESIGN §2.2, §2.3).
#include "protocol/clock.hpp"
#include "protocol/envelope.hpp"
#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

TEST(Fanout, PublishReachesExactlyTheDevicesOfThatUser) {
  server_process server;
  auto phone = open_device(server, "u-1001", "&deviceId=phone");
  auto tablet = open_device(server, "u-1001", "&deviceId=tablet");
  auto stranger = open_device(server, "u-2002");
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 3));

  const auto r = publish(server, "u-1001", "JOB_PROGRESS", R"({"jobId":"j-1","percent":40})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(boost::json::parse(r.body).at("delivered"), 2);

  std::string first;
  for (auto* device : {phone.get(), tablet.get()}) {
    const auto ev = device->read(5s);
    ASSERT_EQ(ev.what, ws_event::kind::message);
    const auto envelope = parse_envelope(ev.text);
    ASSERT_TRUE(envelope);
    EXPECT_EQ(envelope->type, "JOB_PROGRESS");
    EXPECT_EQ(envelope->payload.at("percent"), 40);
    EXPECT_TRUE(parse_iso8601(envelope->timestamp).has_value());
    if (first.empty()) first = ev.text;
    EXPECT_EQ(ev.text, first);  // byte-identical on every device
  }
  EXPECT_EQ(stranger->read(300ms).what, ws_event::kind::timeout);
}

TEST(Fanout, PublishToStarReachesEveryone) {
  server_process server;
  auto a = open_device(server, "a");
  auto b1 = open_device(server, "b");
  auto b2 = open_device(server, "b");
  const auto r = publish(server, "*", "MAINTENANCE", R"({"inMinutes":5})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(boost::json::parse(r.body).at("delivered"), 3);
  for (auto* device : {a.get(), b1.get(), b2.get()}) {
    const auto ev = device->read(5s);
    ASSERT_EQ(ev.what, ws_event::kind::message);
    EXPECT_EQ(parse_envelope(ev.text)->type, "MAINTENANCE");
  }
}

TEST(Fanout, EventsArriveInPublishOrder) {
  server_process server;
  auto device = open_device(server, "u");
  for (int i = 0; i < 200; ++i)
    ASSERT_EQ(publish(server, "u", "N", "{\"i\":" + std::to_string(i) + "}").status, 200);
  for (int i = 0; i < 200; ++i) {
    const auto ev = device->read(5s);
    ASSERT_EQ(ev.what, ws_event::kind::message);
    EXPECT_EQ(parse_envelope(ev.text)->payload.at("i"), i);
  }
}

TEST(Fanout, AClosedDeviceIsNoLongerCounted) {
  server_process server;
  auto keep = open_device(server, "u");
  auto gone = open_device(server, "u");
  gone->close(1000);
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 1));
  EXPECT_EQ(boost::json::parse(publish(server, "u", "X").body).at("delivered"), 1);
  auto abrupt = open_device(server, "u");
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 2));
  abrupt->abort();  // no close frame
  EXPECT_TRUE(wait_for_stat(server, "totalConnections", 1));
}

TEST(Fanout, PublishRejectsABadBody) {
  server_process server;
  const auto r =
      http_request(server.host(), server.port(), "POST", "/api/realtime/publish", "{not json",
                   {{"Authorization", server_process::bearer("ops", user_role::admin)}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(boost::json::parse(r.body).at("error").is_string());
}

}  // namespace
}  // namespace archibald::testing
