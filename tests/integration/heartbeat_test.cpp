// Heartbeat (DESIGN §2.2): server pings, dead peers are terminated, round trips are measured.
#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

// HEARTBEAT_SPREAD: pings spread over the interval (default) or all at once.
void expect_silent_client_terminated(const char* spread) {
  server_process server({{"HEARTBEAT_INTERVAL_MS", "150"}, {"HEARTBEAT_SPREAD", spread}});
  auto answering = open_device(server, "alive");
  auto silent = open_device(server, "silent");  // never reads, so never answers a ping
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 2));

  // The answering client keeps reading (Beast answers pings while reading).
  const auto deadline = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < deadline)
    ASSERT_EQ(answering->read(50ms).what, ws_event::kind::timeout);

  EXPECT_TRUE(wait_for_stat(server, "totalConnections", 1));
  EXPECT_GE(answering->pings_received(), 3u);
  const auto ev = silent->read(2s);
  EXPECT_EQ(ev.what, ws_event::kind::error) << "terminated, not closed: " << ev.close_code;

  const auto stats = health(server).at("stats").as_object();
  EXPECT_GT(stats.at("latencySamples").to_number<std::int64_t>(), 2);
  EXPECT_GT(stats.at("averageLatency").to_number<double>(), 0.0);
  EXPECT_LT(stats.at("averageLatency").to_number<double>(), 100.0);

  const auto metrics = http_request(server.host(), server.port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("archibald_heartbeat_timeouts_total 1\n"), std::string::npos);
}

TEST(Heartbeat, AClientThatNeverAnswersPingsIsTerminated) {
  expect_silent_client_terminated("true");
}

TEST(Heartbeat, AlsoWhenEveryConnectionIsPingedAtOnce) {
  expect_silent_client_terminated("false");
}

TEST(Heartbeat, TextPingIsAnsweredWithTextPong) {
  server_process server;
  auto device = open_device(server, "u");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(device->send_text("ping"));
    const auto ev = device->read(5s);
    ASSERT_EQ(ev.what, ws_event::kind::message);
    EXPECT_FALSE(ev.binary);
    EXPECT_EQ(ev.text, "pong");
  }
}

// Found by the 30-minute soak: pongs were written without being counted in the connection's
// outbound bytes, so the count drifted 4 bytes below zero per ping, until an ordinary event
// looked like an overflow and the connection was closed as a slow consumer (every client
// pinging every 5 s was cut off after about 10 minutes).
TEST(Heartbeat, TextPingsNeverMakeAClientASlowConsumer) {
  server_process server({{"WS_RATE_LIMIT", "0"}});
  auto device = open_device(server, "pinger");
  for (int i = 0; i < 400; ++i) {  // 1,600 bytes of pongs: more than one event's size
    ASSERT_TRUE(device->send_text("ping"));
    ASSERT_EQ(device->read(5s).text, "pong") << i;
  }
  ASSERT_EQ(results_of(post_drafts(server, "pinger", draft_json("d-1", 1000))).size(), 1u);
  const auto event = next_event(*device);
  EXPECT_EQ(event.at("type"), "DRAFT_CREATED");
  ASSERT_TRUE(device->send_text("ping"));
  EXPECT_EQ(device->read(5s).text, "pong") << "still open";
  const auto metrics = http_request(server.host(), server.port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("archibald_slow_consumer_closes_total 0\n"), std::string::npos);
}

}  // namespace
}  // namespace archibald::testing
