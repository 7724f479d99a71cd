#include "http/router.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <future>

#include "protocol/clock.hpp"
#include "support/temp_store.hpp"

namespace archibald {
namespace {

struct recording_connection : connection {
  std::vector<shared_message> received;
  send_result send(const shared_message& m) override {
    received.push_back(m);
    return send_result::queued;
  }
  void close(std::uint16_t, std::string_view) override {}
  void heartbeat() override {}
};

class RouterTest : public ::testing::Test {
 protected:
  server_config config;
  jwt_verifier verifier{"router-test-secret"};
  connection_registry registry{{}};
  server_metrics metrics;
  lifecycle life;
  testing::temp_store db;
  sync_service sync{db.store(), registry, metrics};
  router routes{server_context{config, verifier, registry, metrics, life, sync}};

  std::string token(std::string user, user_role role) {
    jwt_claims c;
    c.user_id = std::move(user);
    c.role = role;
    c.expires_at = epoch_s(wall_clock::now()) + 600;
    return "Bearer " + sign_jwt(c, "router-test-secret");
  }
  std::shared_ptr<recording_connection> device(const std::string& user) {
    auto c = std::make_shared<recording_connection>();
    bool again = false;
    registry.add(user, c, again);
    return c;
  }
  http_response call(std::string_view method, std::string_view target,
                     std::string_view authorization = {}, std::string_view body = {},
                     std::string_view origin = {}) {
    std::promise<http_response> answer;
    routes.handle({method, target, authorization, origin, body},
                  [&answer](http_response r) { answer.set_value(std::move(r)); });
    return answer.get_future().get();
  }
  static boost::json::object json(const http_response& r) {
    return boost::json::parse(r.body).as_object();
  }
};

TEST_F(RouterTest, LivenessAndReadiness) {
  EXPECT_EQ(call("GET", "/health/live").status, 200u);
  EXPECT_EQ(call("GET", "/health/ready").status, 200u);
  life.shutting_down = true;
  EXPECT_EQ(call("GET", "/health/ready").status, 503u);
}

TEST_F(RouterTest, WebSocketHealthNeedsAnAdminToken) {
  EXPECT_EQ(call("GET", "/api/websocket/health").status, 401u);
  EXPECT_EQ(call("GET", "/api/websocket/health", "Bearer not.a.token").status, 401u);
  EXPECT_EQ(call("GET", "/api/websocket/health", token("u", user_role::agent)).status, 403u);
  EXPECT_EQ(read(metrics.auth_failures), 2u);
}

TEST_F(RouterTest, WebSocketHealthHasTheOriginalShape) {
  device("u-1001");
  device("u-1001");
  device("u-2002");
  metrics.record_ping_rtt(std::chrono::milliseconds(2));
  for (const char* path : {"/api/websocket/health", "/api/websocket/stats"}) {
    const auto r = call("GET", path, token("admin", user_role::admin));
    ASSERT_EQ(r.status, 200u);
    const auto body = json(r);
    EXPECT_EQ(body.at("success"), true);
    EXPECT_EQ(body.at("status"), "healthy");
    const auto& stats = body.at("stats").as_object();
    EXPECT_EQ(stats.at("totalConnections"), 3);
    EXPECT_EQ(stats.at("activeUsers"), 2);
    EXPECT_TRUE(stats.at("uptime").is_number());
    EXPECT_EQ(stats.at("reconnectionCount"), 0);
    EXPECT_EQ(stats.at("messagesSent"), 0);
    EXPECT_EQ(stats.at("messagesReceived"), 0);
    EXPECT_DOUBLE_EQ(stats.at("averageLatency").as_double(), 2.0);
    EXPECT_EQ(stats.at("connectionsPerUser").at("u-1001"), 2);
    EXPECT_EQ(stats.at("connectionsPerUser").at("u-2002"), 1);
  }
}

TEST_F(RouterTest, HealthIsIdleWithoutConnections) {
  EXPECT_EQ(json(call("GET", "/api/websocket/health", token("a", user_role::admin))).at("status"),
            "idle");
}

TEST_F(RouterTest, PublishReachesExactlyTheUsersDevices) {
  auto phone = device("u-1");
  auto tablet = device("u-1");
  auto stranger = device("u-2");
  const auto r = call("POST", "/api/realtime/publish", token("svc", user_role::service),
                      R"({"userId":"u-1","type":"JOB_PROGRESS","payload":{"percent":40}})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json(r).at("delivered"), 2);
  ASSERT_EQ(phone->received.size(), 1u);
  EXPECT_EQ(phone->received[0], tablet->received[0]);  // one buffer for all
  EXPECT_TRUE(stranger->received.empty());
  const auto event = boost::json::parse(phone->received[0]->text).as_object();
  EXPECT_EQ(event.at("type"), "JOB_PROGRESS");
  EXPECT_EQ(event.at("payload").at("percent"), 40);
  EXPECT_TRUE(parse_iso8601(event.at("timestamp").as_string()).has_value());
  EXPECT_EQ(event.at("seq"), 1);  // durable by default
  EXPECT_EQ(phone->received[0]->seq, 1);
}

TEST_F(RouterTest, PublishToStarReachesEveryone) {
  auto a = device("a");
  auto b = device("b");
  const auto r = call("POST", "/api/realtime/publish", token("admin", user_role::admin),
                      R"({"userId":"*","type":"ANNOUNCEMENT"})");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(json(r).at("delivered"), 2);
  EXPECT_EQ(boost::json::parse(a->received[0]->text).at("payload"), boost::json::object{});
}

TEST_F(RouterTest, PublishNeedsAdminOrServiceRole) {
  EXPECT_EQ(call("POST", "/api/realtime/publish", "", R"({"userId":"u","type":"X"})").status, 401u);
  EXPECT_EQ(call("POST", "/api/realtime/publish", token("u", user_role::agent),
                 R"({"userId":"u","type":"X"})")
                .status,
            403u);
}

TEST_F(RouterTest, PublishRejectsBadBodiesWithAJsonError) {
  const auto admin = token("admin", user_role::admin);
  for (const char* body :
       {"", "not json", "[1,2]", R"({"type":"X"})", R"({"userId":"","type":"X"})",
        R"({"userId":5,"type":"X"})", R"({"userId":"u"})", R"({"userId":"u","type":""})",
        R"({"userId":"u","type":"has space"})", R"({"userId":"u","type":"X","payload":[1]})",
        R"({"userId":"u","type":"X","transient":"yes"})",
        R"({"userId":"u","type":"X"} trailing)"}) {
    const auto r = call("POST", "/api/realtime/publish", admin, body);
    EXPECT_EQ(r.status, 400u) << body;
    const auto j = json(r);
    EXPECT_EQ(j.at("success"), false);
    EXPECT_TRUE(j.at("error").is_string());
  }
  EXPECT_EQ(read(metrics.events_published), 0u);
}

TEST_F(RouterTest, MetricsAreInPrometheusFormat) {
  device("u");
  const auto r = call("GET", "/metrics");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(r.body.find("\narchibald_connections 1\n"), std::string::npos);
  EXPECT_NE(r.body.find("# TYPE archibald_ping_rtt_seconds histogram"), std::string::npos);
  EXPECT_NE(r.body.find("archibald_process_resident_memory_bytes "), std::string::npos);
}

TEST_F(RouterTest, UnknownPathsAndMethodsAreJsonErrors) {
  auto r = call("GET", "/nope");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(json(r).at("success"), false);
  r = call("DELETE", "/metrics");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.headers.at(0).first, "Allow");
}

TEST_F(RouterTest, CorsAllowsAnyOriginByDefault) {
  const auto r = call("GET", "/health/live", "", "", "http://app.example");
  bool echoed = false;
  for (const auto& [name, value] : r.headers)
    echoed |= name == "Access-Control-Allow-Origin" && value == "http://app.example";
  EXPECT_TRUE(echoed);
  const auto pre = call("OPTIONS", "/api/realtime/publish", "", "", "http://app.example");
  EXPECT_EQ(pre.status, 204u);
}

TEST_F(RouterTest, CorsHonoursTheConfiguredOrigins) {
  config.cors_origins = {"https://archibald.example"};
  const auto denied = call("GET", "/health/live", "", "", "https://evil.example");
  for (const auto& [name, value] : denied.headers) EXPECT_NE(name, "Access-Control-Allow-Origin");
  const auto allowed = call("GET", "/health/live", "", "", "https://archibald.example");
  EXPECT_FALSE(allowed.headers.empty());
}

TEST_F(RouterTest, ServesTheDashboardDemoAndClientFromTheBinary) {
  for (const char* path : {"/admin", "/admin/", "/demo", "/demo/"}) {
    const auto r = call("GET", path);
    ASSERT_EQ(r.status, 200u) << path;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("<!doctype html>"), std::string::npos);
  }
  EXPECT_NE(call("GET", "/admin").body.find("data-testid=\"latency-badge\""), std::string::npos);
  const auto script = call("GET", "/client/archibald-client.js?v=1");
  ASSERT_EQ(script.status, 200u);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(script.body.find("export class ArchibaldClient"), std::string::npos);
  EXPECT_EQ(call("GET", "/common/style.css").content_type, "text/css; charset=utf-8");

  std::string csp;
  for (const auto& [name, value] : call("GET", "/admin").headers)
    if (name == "Content-Security-Policy") csp = value;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
}

TEST_F(RouterTest, OnlyEmbeddedPagesAreServed) {
  for (const char* path :
       {"/", "/admin/../CMakeLists.txt", "/admin/nope.js", "/test/client.test.js",
        "/web/admin/index.html", "/admin//index.html", "/adminx"})
    EXPECT_EQ(call("GET", path).status, 404u) << path;
  EXPECT_EQ(call("POST", "/demo").status, 405u);
}

}  // namespace
}  // namespace archibald
