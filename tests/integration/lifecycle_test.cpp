// Start-up, configuration errors, health and metrics endpoints, graceful shutdown.
#include <signal.h>

#include <regex>
#include <sstream>

#include "metrics/prometheus_writer.hpp"
#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

TEST(Lifecycle, SigtermClosesEveryWebSocketWith1001AndExitsZero) {
  server_process server;
  std::vector<std::unique_ptr<ws_client>> devices;
  for (int i = 0; i < 5; ++i) devices.push_back(open_device(server, "u-" + std::to_string(i % 2)));
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 5));

  const auto start = std::chrono::steady_clock::now();
  ::kill(server.pid(), SIGTERM);
  for (auto& device : devices) {
    const auto ev = device->read(5s);
    ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.error;
    EXPECT_EQ(ev.close_code, 1001);
  }
  EXPECT_EQ(server.stop(0, 5s), 0) << server.log();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(Lifecycle, SigtermExitsInTimeEvenWhenAClientIgnoresTheClose) {
  server_process server({{"SHUTDOWN_TIMEOUT_MS", "1000"}});
  auto deaf = open_device(server, "deaf");  // never reads: never answers the close
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 1));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(SIGTERM, 5s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(Lifecycle, ReadinessFlipsDuringShutdownAndHealthReportsTheOriginalFields) {
  server_process server;
  auto a = open_device(server, "u-1001");
  auto b = open_device(server, "u-1001");
  auto c = open_device(server, "u-2002");
  ASSERT_TRUE(a->send_text("ping"));
  ASSERT_EQ(a->read(5s).text, "pong");
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 3));

  const auto h = health(server);
  EXPECT_EQ(h.at("success"), true);
  EXPECT_EQ(h.at("status"), "healthy");
  const auto& s = h.at("stats").as_object();
  for (const char* field : {"totalConnections", "activeUsers", "uptime", "reconnectionCount",
                            "messagesSent", "messagesReceived", "averageLatency"})
    EXPECT_TRUE(s.at(field).is_number()) << field;
  EXPECT_EQ(s.at("activeUsers"), 2);
  EXPECT_EQ(s.at("reconnectionCount"), 1);
  EXPECT_EQ(s.at("messagesReceived"), 1);
  EXPECT_EQ(s.at("messagesSent"), 1);
  EXPECT_EQ(s.at("connectionsPerUser").at("u-1001"), 2);
  EXPECT_EQ(s.at("connectionsPerUser").at("u-2002"), 1);
  // Added for the cluster view: a single node is a cluster of itself.
  const std::string node_id = h.at("nodeId").as_string().c_str();
  EXPECT_EQ(node_id.substr(node_id.rfind(':') + 1), std::to_string(server.port()));
  const auto& cluster = h.at("cluster").as_array();
  ASSERT_EQ(cluster.size(), 1u);
  EXPECT_EQ(cluster[0].at("nodeId"), h.at("nodeId"));
  EXPECT_EQ(cluster[0].at("connections"), 3);
  EXPECT_EQ(cluster[0].at("users"), 2);
  EXPECT_EQ(http_request(server.host(), server.port(), "GET", "/api/websocket/stats", {},
                         {{"Authorization", server_process::bearer("a", user_role::admin)}})
                .status,
            200);
  EXPECT_EQ(http_request(server.host(), server.port(), "GET", "/health/ready").status, 200);
}

TEST(Lifecycle, MetricsParseAsPrometheusText) {
  server_process server;
  auto device = open_device(server, "u");
  const auto r = http_request(server.host(), server.port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  const std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_]\w*="[^"]*"(,[a-zA-Z_]\w*="[^"]*")*\})? [-+0-9.eE]+(Inf)?$)");
  const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::istringstream lines(r.body);
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("#", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      EXPECT_EQ(line.rfind("archibald_", 0), 0u) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 20);
  for (const char* name :
       {"archibald_connections 1", "archibald_active_users 1", "archibald_messages_sent_total",
        "archibald_bytes_received_total", "archibald_auth_failures_total",
        "archibald_slow_consumer_closes_total", "archibald_ping_rtt_seconds_bucket",
        "archibald_process_resident_memory_bytes"})
    EXPECT_NE(r.body.find(name), std::string::npos) << name;
}

// Where a write's time goes: every durable write passes each stage once, every event written
// to a device adds a socket sample; /metrics and the health JSON show the same counts.
TEST(Lifecycle, EveryStageOfAWriteIsTimedInMetricsAndHealth) {
  server_process server;
  auto device = open_device(server, "u");
  // On PostgreSQL a user's first device reads the last second's events as it joins: the writes
  // come after that read, so that their events go out live (timed), not in its replay.
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(post_drafts(server, "u", draft_json("d1", 1000)).status, 200);
  ASSERT_EQ(post_drafts(server, "u", draft_json("d2", 1000)).status, 200);
  EXPECT_EQ(next_event(*device).at("type"), "DRAFT_CREATED");
  EXPECT_EQ(next_event(*device).at("type"), "DRAFT_CREATED");

  const auto stage_count = [&](const std::string& stage) {
    const auto r = http_request(server.host(), server.port(), "GET", "/metrics");
    return prometheus_sample(r.body, "archibald_write_stage_seconds_count{stage=\"" + stage + "\"}")
        .value_or(-1);
  };
  // The socket sample is taken when the write completes, which may be just after the frame
  // reached the client.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (stage_count("socket") < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  for (const char* stage : {"handle", "queue", "commit", "fanout", "socket"})
    EXPECT_EQ(stage_count(stage), 2) << stage;

  const auto stages = health(server).at("stats").at("writeStages").as_object();
  EXPECT_EQ(stages.size(), 5u);
  EXPECT_EQ(stages.at("commit").at("count").to_number<int>(), 2);
  EXPECT_GT(stages.at("commit").at("maxMs").to_number<double>(), 0.0);  // a commit takes time
  EXPECT_GE(stages.at("commit").at("p99Ms").to_number<double>(),
            stages.at("commit").at("p50Ms").to_number<double>());
}

TEST(Lifecycle, InvalidConfigurationFailsAtStartUpWithAMessage) {
  EXPECT_THROW(server_process({{"MAX_CONNECTIONS_PER_USER", "0"}}), std::runtime_error);
  try {
    server_process bad({{"HEARTBEAT_INTERVAL_MS", "1"}});
    FAIL() << "started with a 1 ms heartbeat";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("HEARTBEAT_INTERVAL_MS"), std::string::npos) << e.what();
  }
}

TEST(Lifecycle, LogsTheConnectionCapacityAndWarnsAboutTheDevSecret) {
  server_process server({{"JWT_SECRET", "dev-secret-key-change-in-production"}});
  const std::string log = server.log();
  EXPECT_NE(log.find("capacity"), std::string::npos) << log;
  EXPECT_NE(log.find("development default"), std::string::npos) << log;
}

}  // namespace
}  // namespace archibald::testing
