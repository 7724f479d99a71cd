// Operations endpoints (DESIGN §2.4): liveness, readiness, the original health JSON, metrics.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/auth_guard.hpp"
#include "http/router.hpp"
#include "metrics/process_stats.hpp"
#include "metrics/prometheus_writer.hpp"

namespace archibald {
namespace {

http_response json_ok(const boost::json::object& body, unsigned status = 200) {
  return json_response(boost::json::serialize(body), status);
}

std::int64_t uptime_seconds(const lifecycle& life) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                          life.started)
      .count();
}

// Accepted tokens by the secret that signed them: "current", then "previous-1", … in the order
// of JWT_SECRET_PREVIOUS.
std::vector<std::pair<std::string, std::uint64_t>> token_verifications(const jwt_verifier& v) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  const auto counts = v.verifications_by_secret();
  for (std::size_t i = 0; i < counts.size(); ++i)
    out.emplace_back(i == 0 ? "current" : "previous-" + std::to_string(i), counts[i]);
  return out;
}

boost::json::object token_verifications_json(const jwt_verifier& v) {
  boost::json::object out;
  for (const auto& [secret, count] : token_verifications(v)) out[secret] = count;
  return out;
}

// {"handle": {"count": N, "p50Ms": …, "p99Ms": …, "maxMs": …}, "queue": …}
boost::json::object write_stages_json(const write_stage_timings& timings) {
  boost::json::object out;
  for (const write_stage stage : write_stage_timings::all) {
    const latency_histogram h = timings.snapshot(stage);
    out[write_stage_timings::name(stage)] = {{"count", h.count()},
                                             {"p50Ms", h.quantile_us(0.50) / 1000.0},
                                             {"p99Ms", h.quantile_us(0.99) / 1000.0},
                                             {"maxMs", h.max_us() / 1000.0}};
  }
  return out;
}

boost::json::object node_summary(const server_context& ctx) {
  const latency_histogram rtt = ctx.metrics.ping_rtt_snapshot();
  const latency_histogram fanout = ctx.metrics.write_stages.snapshot(write_stage::fanout);
  return {
      {"nodeId", ctx.life.node_id},
      {"ready", !ctx.life.shutting_down.load() && ctx.sync.ready()},
      {"connections", ctx.registry.total()},
      {"users", ctx.registry.active_users()},
      {"connectionCapacity", ctx.life.connection_capacity},
      {"latencyP50", rtt.quantile_us(0.50) / 1000.0},
      {"latencyP95", rtt.quantile_us(0.95) / 1000.0},
      {"latencyP99", rtt.quantile_us(0.99) / 1000.0},
      {"fanoutP99", fanout.quantile_us(0.99) / 1000.0},
      {"eventsPublished", read(ctx.metrics.events_published)},
      {"memoryRss", resident_memory_bytes()},
      {"uptime", uptime_seconds(ctx.life)},
  };
}

// This node first, then the other live nodes as their heartbeats reported them.
boost::json::array cluster_json(const server_context& ctx) {
  boost::json::array nodes;
  boost::json::object self = node_summary(ctx);
  self["self"] = true;
  self["ageMs"] = 0;
  nodes.push_back(std::move(self));
  for (const node_report& n : ctx.life.cluster.nodes()) {
    if (n.node_id == ctx.life.node_id) continue;
    boost::system::error_code ec;
    boost::json::value stats = boost::json::parse(n.stats_json, ec);
    boost::json::object entry =
        !ec && stats.is_object() ? std::move(stats.as_object()) : boost::json::object{};
    entry["nodeId"] = n.node_id;
    entry["self"] = false;
    entry["ageMs"] = n.age_ms;
    nodes.push_back(std::move(entry));
  }
  return nodes;
}

}  // namespace

std::string node_summary_json(const server_context& ctx) {
  return boost::json::serialize(node_summary(ctx));
}

http_response handle_live(const server_context&) {
  return json_ok({{"status", "ok"}});
}

http_response handle_ready(const server_context& ctx) {
  if (ctx.life.shutting_down.load()) return json_ok({{"status", "shutting_down"}}, 503);
  if (!ctx.sync.ready()) return json_ok({{"status", "storage_unavailable"}}, 503);
  return json_ok({{"status", "ready"}});
}

http_response handle_websocket_health(const http_request& req, const server_context& ctx) {
  http_response denied;
  if (!authorize(req, ctx, {user_role::admin}, denied)) return denied;

  const server_metrics& m = ctx.metrics;
  const std::size_t total = ctx.registry.total();
  boost::json::object per_user;
  for (const auto& [user, count] : ctx.registry.connections_per_user()) per_user[user] = count;
  const latency_histogram rtt = m.ping_rtt_snapshot();

  boost::json::object stats{
      {"totalConnections", total},
      {"activeUsers", ctx.registry.active_users()},
      {"uptime", uptime_seconds(ctx.life)},
      {"reconnectionCount", read(m.reconnections)},
      {"messagesSent", read(m.messages_sent)},
      {"messagesReceived", read(m.messages_received)},
      {"averageLatency", m.average_latency_ms()},
      {"connectionsPerUser", std::move(per_user)},
      // New fields (DESIGN §2.4 allows additions inside stats).
      {"latencyP50", rtt.quantile_us(0.50) / 1000.0},
      {"latencyP95", rtt.quantile_us(0.95) / 1000.0},
      {"latencyP99", rtt.quantile_us(0.99) / 1000.0},
      {"latencySamples", rtt.count()},
      {"memoryRss", resident_memory_bytes()},
      {"connectionCapacity", ctx.life.connection_capacity},
      {"slowConsumerCloses", read(m.slow_consumer_closes)},
      {"authFailures", read(m.auth_failures)},
      {"tokenVerifications", token_verifications_json(ctx.verifier)},
      {"rejectedConnections", read(m.ws_rejected_capacity)},
      {"bytesSent", read(m.bytes_sent)},
      {"bytesReceived", read(m.bytes_received)},
      {"writeStages", write_stages_json(m.write_stages)},
  };
  const char* status = ctx.life.shutting_down.load() ? "offline" : total > 0 ? "healthy" : "idle";
  return json_ok({{"success", true},
                  {"status", status},
                  {"stats", std::move(stats)},
                  {"nodeId", ctx.life.node_id},
                  {"cluster", cluster_json(ctx)}});
}

http_response handle_metrics(const server_context& ctx) {
  const server_metrics& m = ctx.metrics;
  prometheus_writer w;
  w.gauge("archibald_connections", "Open WebSocket connections.",
          static_cast<double>(ctx.registry.total()));
  w.gauge("archibald_connection_capacity", "WebSocket connections this process can hold.",
          static_cast<double>(ctx.life.connection_capacity));
  w.gauge("archibald_active_users", "Users with at least one open connection.",
          static_cast<double>(ctx.registry.active_users()));
  w.counter("archibald_connections_accepted_total", "WebSocket connections registered.",
            read(m.ws_accepted));
  w.counter("archibald_connections_rejected_total",
            "WebSocket connections refused for capacity (close 1013).",
            read(m.ws_rejected_capacity));
  w.counter("archibald_origin_rejected_total", "WebSocket upgrades refused for their Origin.",
            read(m.ws_rejected_origin));
  w.counter("archibald_auth_failures_total", "Requests and connections with a bad or no token.",
            read(m.auth_failures));
  w.labelled_counters("archibald_token_verifications_total",
                      "Tokens accepted, by the secret that signed them (current, previous-N: "
                      "JWT_SECRET_PREVIOUS in order); an old secret at 0 can go.",
                      "secret", token_verifications(ctx.verifier));
  w.counter("archibald_reconnections_total", "Connections by a user who already had one.",
            read(m.reconnections));
  w.counter("archibald_slow_consumer_closes_total",
            "Connections closed 1013 for exceeding their outbound byte bound.",
            read(m.slow_consumer_closes));
  w.counter("archibald_oversize_closes_total", "Connections closed 1009 for a too-big message.",
            read(m.oversize_closes));
  w.counter("archibald_rate_limit_closes_total", "Connections closed 1008 for flooding.",
            read(m.rate_limit_closes));
  w.counter("archibald_token_expiry_closes_total",
            "Connections closed 1008 when their token expired unrefreshed "
            "(WS_ENFORCE_TOKEN_EXPIRY).",
            read(m.token_expiry_closes));
  w.counter("archibald_tls_handshakes_total", "TLS handshakes completed.", read(m.tls_handshakes));
  w.counter("archibald_tls_handshake_failures_total",
            "TLS handshakes that failed or timed out (old protocol versions, bad clients).",
            read(m.tls_handshake_failures));
  w.counter("archibald_tls_plain_refused_total",
            "Plain HTTP requests on a TLS-only port (TLS_MODE=require), answered 400.",
            read(m.tls_plain_refused));
  w.counter("archibald_heartbeat_timeouts_total",
            "Connections terminated for not answering a ping.", read(m.heartbeat_timeouts));
  w.counter("archibald_protocol_errors_total", "WebSocket protocol violations by clients.",
            read(m.protocol_errors));
  w.counter("archibald_handler_exceptions_total",
            "Network handlers that threw (a bug; the connection was dropped, the server went on).",
            read(m.handler_exceptions));
  w.counter("archibald_messages_sent_total", "WebSocket messages written to clients.",
            read(m.messages_sent));
  w.counter("archibald_bytes_sent_total", "WebSocket payload bytes written to clients.",
            read(m.bytes_sent));
  w.counter("archibald_messages_received_total", "WebSocket messages read from clients.",
            read(m.messages_received));
  w.counter("archibald_bytes_received_total", "WebSocket payload bytes read from clients.",
            read(m.bytes_received));
  w.counter("archibald_messages_ignored_total", "Client messages the server has no use for.",
            read(m.messages_ignored));
  w.counter("archibald_events_published_total",
            "Events fanned out: sync writes (REST and WebSocket) and the publish API.",
            read(m.events_published));
  w.counter("archibald_deliveries_dropped_total",
            "Deliveries not queued because the connection was closing or over its bound.",
            read(m.deliveries_dropped));
  w.counter("archibald_ownership_violations_total",
            "Attempts to write or delete another user's record.", read(m.ownership_violations));
  w.counter("archibald_ws_writes_total", "Client writes received over WebSocket.",
            read(m.ws_writes));
  w.counter("archibald_replays_total", "Connections that asked for replay.", read(m.replays));
  w.counter("archibald_resyncs_total", "RESYNC_REQUIRED sent.", read(m.resyncs));
  w.gauge("archibald_storage_ready", "1 when storage accepts writes.", ctx.sync.ready() ? 1 : 0);
  w.counter("archibald_http_requests_total", "HTTP requests answered.", read(m.http_requests));
  w.counter("archibald_http_client_errors_total", "HTTP responses 4xx (router or transport).",
            read(m.http_client_errors));
  w.counter("archibald_http_server_errors_total", "HTTP responses 5xx.",
            read(m.http_server_errors));
  std::vector<std::pair<std::string, std::uint64_t>> by_code;
  for (unsigned code = 100; code <= 599; ++code)
    if (const auto n = m.http_responses(code)) by_code.emplace_back(std::to_string(code), n);
  w.labelled_counters("archibald_http_responses_total",
                      "HTTP responses sent, by status code (101 upgrades and the transport's own "
                      "400 / 413 / 431 included).",
                      "code", by_code);
  w.counter("archibald_http_rejected_total",
            "HTTP connections refused for lack of file descriptors.",
            read(m.http_rejected_capacity));
  w.histogram_seconds("archibald_ping_rtt_seconds", "WebSocket ping to pong round trip.",
                      m.ping_rtt_snapshot(),
                      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
  w.gauge("archibald_average_latency_milliseconds", "Mean of the last 100 ping round trips.",
          m.average_latency_ms());
  std::vector<std::pair<std::string_view, latency_histogram>> stages;
  for (const write_stage stage : write_stage_timings::all)
    stages.emplace_back(write_stage_timings::name(stage), m.write_stages.snapshot(stage));
  w.labelled_histograms_seconds(
      "archibald_write_stage_seconds",
      "Where a durable write's time goes: handle (request read to queued to storage), queue "
      "(to its transaction), commit (to committed), fanout (to queued on every device), socket "
      "(queued on a device to written, per frame).",
      "stage", stages,
      {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
       0.1, 0.25, 1});
  w.gauge("archibald_process_resident_memory_bytes", "Resident set size of the server.",
          static_cast<double>(resident_memory_bytes()));
  w.counter_seconds("archibald_process_cpu_seconds_total", "CPU time of the server, all threads.",
                    cpu_seconds());
  w.gauge("archibald_uptime_seconds", "Seconds since the server started.",
          static_cast<double>(uptime_seconds(ctx.life)));

  http_response r;
  r.content_type = prometheus_writer::content_type;
  r.body = w.text();
  return r;
}

}  // namespace archibald
