#include "load/driver/write_sender.hpp"

#include <algorithm>
#include <optional>

#include "load/driver/client_tls.hpp"
#include "load/write_builder.hpp"
#include "protocol/clock.hpp"

namespace archibald::load {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {
constexpr auto late_after = 10ms;  // a write later than this counts in writes_late
}  // namespace

std::vector<std::unique_ptr<http_async_pool>> make_write_pools(boost::asio::io_context& ioc,
                                                               const load_options& o,
                                                               std::size_t users) {
  std::vector<std::unique_ptr<http_async_pool>> pools;
  if (o.mode == write_mode::ws) return pools;
  const std::size_t size = http_connections_per_node(o, users);
  for (const auto& url : o.urls)
    pools.push_back(std::make_unique<http_async_pool>(ioc, url.host, url.port, size, o.source_ips,
                                                      10s, client_tls(o, url)));
  return pools;
}

void write_sender::write(simulated_user& u, time_point intended, time_point now) {
  if (u.in_flight >= options_.max_in_flight_per_user) {
    ++stats_[counter::writes_skipped];
    return;
  }
  std::optional<std::size_t> writer;
  for (std::size_t k = 0; k < u.devices.size() && !writer; ++k) {
    const std::size_t d = (u.next_writer + k) % u.devices.size();
    if (options_.mode != write_mode::ws || u.devices[d].open) writer = d;
  }
  if (!writer) {
    ++stats_[counter::writes_skipped];
    return;
  }
  u.next_writer = *writer + 1;
  const std::int64_t key = std::max(epoch_ms(wall_clock::now()), u.last_key + 1);
  u.last_key = key;
  ++u.in_flight;
  const std::size_t w = *writer;
  count(stats_, u.tracker.node_stats(w, stats_), counter::writes);
  stats_[trend::write_send_lag].record(now - intended);
  if (now - intended > late_after) ++stats_[counter::writes_late];
  u.tracker.write_sent(
      key, intended, now,
      options_.mode == write_mode::publish ? std::nullopt : std::optional<std::size_t>(w),
      u.tracker.node_of(w));
  const write_request req{u.id, u.global, w, key, options_.items};
  switch (options_.mode) {
    case write_mode::ws:
      u.devices[w].connection->send(ws_write_frame(req));
      ++stats_[counter::ws_msgs_sent];
      u.acks.push_back({key, now, w});
      return;
    case write_mode::rest:
      return http_write(u, key, "/api/sync/draft-orders", rest_write_body(req),
                        "Bearer " + u.devices[w].token, w);
    case write_mode::publish:
      return http_write(u, key, "/api/realtime/publish", publish_write_body(req), service_auth_, w);
  }
}

void write_sender::http_write(simulated_user& u, std::int64_t key, std::string target,
                              std::string body, std::string auth, std::size_t device) {
  pools_[u.tracker.node_of(device)]->request(
      "POST", std::move(target), std::move(body), std::move(auth),
      [this, &u, key, device](http_async_response&& r) {
        --u.in_flight;
        load_stats* node = u.tracker.node_stats(device, stats_);
        if (r.status != 0) record(stats_, node, trend::http_req_duration, r.duration);
        if (!write_accepted(options_.mode, r.status, r.body)) {
          count(stats_, node, counter::writes_failed);
          stats_.note_error(write_error(r.status, r.error, r.body));
          u.tracker.write_failed(key);
        }
      });
}

void write_sender::acknowledged(simulated_user& u, const json::object& obj, bool ok,
                                time_point now) {
  const auto* id = obj.if_contains("requestId");
  if (!id || !id->is_string()) return;
  const auto key = parse_key(id->get_string());
  const auto it = std::find_if(u.acks.begin(), u.acks.end(),
                               [&](const pending_ack& a) { return a.key == key; });
  if (it == u.acks.end()) return;
  stats_[trend::ws_ack_duration].record(now - it->sent);
  if (!ok || !ack_accepted(obj)) {
    count(stats_, u.tracker.node_stats(it->device, stats_), counter::writes_failed);
    stats_.note_error(ok ? "ws write not applied" : "ws write: ERROR frame");
    u.tracker.write_failed(it->key);
  }
  u.acks.erase(it);
  --u.in_flight;
}

void write_sender::fail_acks(simulated_user& u, std::size_t device) {
  std::erase_if(u.acks, [&](const pending_ack& a) {
    if (a.device != device) return false;
    // Unanswered: it may or may not have been applied. Its event is not expected.
    count(stats_, u.tracker.node_stats(device, stats_), counter::writes_failed);
    stats_.note_error("ws write: connection lost before the ACK");
    u.tracker.write_failed(a.key);
    --u.in_flight;
    return true;
  });
}

}  // namespace archibald::load
