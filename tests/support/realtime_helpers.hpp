// Shorthands the integration tests share: open a device's WebSocket, publish, read health.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <memory>
#include <string>

#include "client/http_client.hpp"
#include "client/ws_client.hpp"
#include "support/server_process.hpp"

namespace archibald::testing {

using namespace std::chrono_literals;

inline std::unique_ptr<ws_client> open_device(server_process& server, const std::string& user,
                                              const std::string& query = {}) {
  auto client = std::make_unique<ws_client>();
  const std::string error = client->connect(
      server.host(), server.port(), "/ws/realtime?token=" + server_process::token(user) + query);
  EXPECT_EQ(error, "") << "connect as " << user;
  return client;
}

// The client settings for a test server's REST side: TLS (unverified) when it has a certificate.
inline const tls_client_context* rest_tls(const server_process& server) {
  return server.tls() ? &insecure_tls() : nullptr;
}

inline http_result publish(server_process& server, const std::string& user, const std::string& type,
                           const std::string& payload_json = "{}") {
  const std::string body =
      R"({"userId":")" + user + R"(","type":")" + type + R"(","payload":)" + payload_json + "}";
  return http_request(server.host(), server.port(), "POST", "/api/realtime/publish", body,
                      {{"Authorization", server_process::bearer("ops", user_role::service)}}, 5s,
                      rest_tls(server));
}

inline boost::json::object health(server_process& server) {
  const auto r = http_request(
      server.host(), server.port(), "GET", "/api/websocket/health", {},
      {{"Authorization", server_process::bearer("admin", user_role::admin)}}, 5s, rest_tls(server));
  EXPECT_EQ(r.status, 200) << r.body << r.error;
  if (r.status != 200) return {};
  return boost::json::parse(r.body).as_object();
}

inline std::int64_t stat(server_process& server, const char* name) {
  const auto h = health(server);
  if (!h.contains("stats")) return -1;
  return h.at("stats").at(name).to_number<std::int64_t>();
}

// Polls until the health stat reaches the value (the server updates asynchronously).
inline bool wait_for_stat(server_process& server, const char* name, std::int64_t value,
                          std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (stat(server, name) == value) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace archibald::testing

namespace archibald::testing {

inline std::string draft_json(const std::string& id, std::int64_t updated_at,
                              const std::string& customer = "Ferramenta Bianchi Srl") {
  return R"({"id":")" + id + R"(","customerId":"C-0042","customerName":")" + customer +
         R"(","items":[{"productId":"P-77","quantity":12}],"updatedAt":)" +
         std::to_string(updated_at) + "}";
}

inline http_result post_drafts(server_process& server, const std::string& user,
                               const std::string& drafts_json,
                               const std::string& collection = "draft-orders") {
  return http_request(server.host(), server.port(), "POST", "/api/sync/" + collection,
                      R"({"drafts":[)" + drafts_json + "]}",
                      {{"Authorization", server_process::bearer(user)}}, 5s, rest_tls(server));
}

inline boost::json::array results_of(const http_result& r) {
  EXPECT_EQ(r.status, 200) << r.body << r.error;
  if (r.status != 200) return {};
  return boost::json::parse(r.body).at("results").as_array();
}

// Reads messages until one whose type is not in `skip` arrives; returns it parsed.
inline boost::json::object next_event(ws_client& client, std::chrono::milliseconds timeout = 5s) {
  const auto ev = client.read(timeout);
  EXPECT_EQ(ev.what, ws_event::kind::message) << ev.error << " " << ev.close_code;
  if (ev.what != ws_event::kind::message) return {};
  return boost::json::parse(ev.text).as_object();
}

}  // namespace archibald::testing
