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

}  // namespace
}  // namespace archibald::testing
