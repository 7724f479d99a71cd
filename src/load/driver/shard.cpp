#include "load/driver/shard.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <cmath>
#include <deque>
#include <random>

#include "auth/jwt.hpp"
#include "client/http_async_pool.hpp"
#include "client/ws_async.hpp"
#include "load/delivery_tracker.hpp"
#include "load/driver/device_target.hpp"
#include "load/driver/simulated_user.hpp"
#include "load/driver/write_schedule.hpp"
#include "load/driver/write_sender.hpp"
#include "load/write_builder.hpp"

namespace archibald::load {

namespace asio = boost::asio;
namespace json = boost::json;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto tick_period = 100ms;
constexpr std::size_t max_devices_bits = 6;  // 64 devices per user at most

std::uint64_t device_key(std::size_t user, std::size_t device) {
  return (static_cast<std::uint64_t>(user) << max_devices_bits) | device;
}

}  // namespace

class shard::impl final : public ws_async_listener {
 public:
  impl(const load_options& o, std::vector<std::size_t> globals)
      : options_(o), period_(effective_period(o)), rng_(globals.empty() ? 1 : globals.front() + 7) {
    users_.reserve(globals.size());
    for (const auto g : globals) users_.push_back(std::make_unique<user>(o, users_.size(), g));
    pools_ = make_write_pools(ioc_, o, globals.size());
    if (o.mode == write_mode::publish)
      service_auth_ = "Bearer " + issue_token(o.secret, o.run_id + "-load", user_role::service, {},
                                              token_ttl(options_));
  }

  void run() {
    arm_tick();
    ioc_.run();
  }

  void post(std::function<void()> f) { asio::post(ioc_, std::move(f)); }

  void set_target_users(std::size_t target) {
    for (std::size_t i = 0; i < users_.size(); ++i) {
      user& u = *users_[i];
      const bool wanted = u.global < target;
      if (wanted && u.state == user::idle) activate(i);
      if (!wanted && (u.state == user::connecting || u.state == user::active)) leave(i);
    }
  }
  void set_write_period(milliseconds p) { period_ = p; }
  void stop_writes() {
    writing_ = false;
    schedule_.clear();
  }

  void finish() {
    stop_writes();
    finishing_ = true;
    for (auto& u : users_) {
      u->tracker.expire_all(stats_);
      for (auto& d : u->devices)
        if (d.connection) d.connection->close();
    }
    for (auto& p : pools_) p->shutdown();
    tick_timer_.cancel();
    // Let the close frames leave, then end the loop.
    stop_timer_.expires_after(300ms);
    stop_timer_.async_wait([this](boost::system::error_code) { ioc_.stop(); });
  }

  shard_snapshot snapshot() {
    shard_snapshot s;
    s.stats = std::exchange(stats_, load_stats{});
    for (const auto& u : users_) {
      if (u->state == user::connecting || u->state == user::active) ++s.gauges.users;
      for (const auto& d : u->devices) s.gauges.connections += d.connection && d.open;
      s.gauges.pending += u->tracker.incomplete();
    }
    return s;
  }

  // ws_async_listener. A connection counts as made when the server first answers it (the
  // "ping" sent on open, or anything else): a server that upgrades and then closes with 1008
  // (bad token) or 1013 (per-user limit) has refused it — as the k6 scripts count it.
  void on_open(std::uint64_t id, std::chrono::nanoseconds connect_time) override {
    auto [u, d] = locate(id);
    device& dev = u.devices[d];
    dev.upgraded = true;
    release_connect_slot(dev);
    stats_[trend::ws_connecting].record(connect_time);
    ping(dev, steady::now());
  }

  void on_message(std::uint64_t id, std::string_view text) override {
    const auto now = steady::now();
    auto [u, d] = locate(id);
    ++stats_[counter::ws_msgs_received];
    if (!u.devices[d].open) accepted(u, d);
    if (text == "pong") {
      device& dev = u.devices[d];
      if (dev.ping_sent) stats_[trend::ws_ping].record(now - *dev.ping_sent);
      dev.ping_sent.reset();
      return;
    }
    json::monotonic_resource mr(parse_buffer_, sizeof parse_buffer_);
    boost::system::error_code ec;
    const auto doc = json::parse(text, ec, &mr);
    if (ec || !doc.is_object()) return;
    const auto& obj = doc.get_object();
    const auto* type = obj.if_contains("type");
    if (type && type->is_string() && (type->get_string() == "ACK" || type->get_string() == "ERROR"))
      return writes_.acknowledged(u, obj, type->get_string() == "ACK", now);
    const auto key = event_key(obj);
    if (!key) return;
    std::optional<std::int64_t> seq;
    if (const auto* s = obj.if_contains("seq"); s && s->is_int64()) seq = s->get_int64();
    u.tracker.event_received(d, *key, seq, now, stats_);
    note_caught_up(u, d, now);
  }

  void on_down(std::uint64_t id, bool was_open, std::uint16_t code,
               std::string_view error) override {
    auto [u, d] = locate(id);
    device& dev = u.devices[d];
    const bool was_accepted = dev.open;
    dev.open = dev.upgraded = false;
    dev.ping_sent.reset();
    load_stats* node = u.tracker.node_stats(d, stats_);
    if (was_accepted) {
      count(stats_, node, counter::ws_drops);
      if (!dev.dropped_at) dev.dropped_at = steady::now();
      stats_.note_error(code ? "ws closed by the server: " + std::to_string(code)
                             : "ws dropped: " + std::string(error));
      writes_.fail_acks(u, d);
    } else {
      release_connect_slot(dev);
      count(stats_, node, counter::ws_connect_failed);
      if (was_open)
        stats_.note_error("ws refused by the server: " +
                          (code ? std::to_string(code) : std::string(error)));
      else
        stats_.note_error("ws connect: " + std::string(error));
      note_first_attempt(u, dev);
    }
    if (options_.urls.size() > 1) u.tracker.fail_over(d, u.global + d);
    if (u.state == user::connecting || u.state == user::active) schedule_reconnect(dev);
  }

 private:
  using device = simulated_device;
  using user = simulated_user;

  // The app-level "ping": its pong is a ws_ping sample (and, on a new connection, the
  // server's first answer).
  void ping(device& dev, steady::time_point now) {
    dev.ping_sent = now;
    dev.last_ping = now;
    dev.connection->send("ping");
    ++stats_[counter::ws_msgs_sent];
  }

  void accepted(user& u, std::size_t d) {
    device& dev = u.devices[d];
    dev.open = true;
    dev.attempts = 0;
    count(stats_, u.tracker.node_stats(d, stats_), counter::ws_connect_ok);
    if (dev.opened_before) ++stats_[counter::ws_reconnects];
    dev.opened_before = true;
    u.tracker.device_attached(d);
    note_first_attempt(u, dev);
    note_caught_up(u, d, steady::now());
  }

  // A dropped device has caught up once it is back and has every event written for it.
  void note_caught_up(user& u, std::size_t d, steady::time_point now) {
    device& dev = u.devices[d];
    if (!dev.dropped_at || !dev.open || u.tracker.owed(d) != 0) return;
    stats_[trend::ws_catch_up].record(now - *dev.dropped_at);
    dev.dropped_at.reset();
  }

  std::pair<user&, std::size_t> locate(std::uint64_t id) {
    return {*users_[id >> max_devices_bits], id & ((1u << max_devices_bits) - 1)};
  }

  void activate(std::size_t i) {
    user& u = *users_[i];
    u.state = user::connecting;
    u.first_attempts = 0;
    ++u.generation;
    for (std::size_t d = 0; d < u.devices.size(); ++d) {
      device& dev = u.devices[d];
      if (dev.token.empty())
        dev.token = issue_token(options_.secret, u.id, user_role::agent, "dev" + std::to_string(d),
                                token_ttl(options_));
      if (!dev.connection)
        dev.connection = std::make_unique<ws_async_connection>(ioc_, *this, device_key(i, d));
      dev.first_attempt_done = false;
      queue_connect(i, d);
    }
  }

  void leave(std::size_t i) {
    user& u = *users_[i];
    u.state = user::leaving;
    ++u.generation;  // drops it from the write schedule
    u.leave_by = steady::now() + options_.delivery_timeout;
  }

  void settle_leaving(user& u, steady::time_point now) {
    if (u.tracker.incomplete() != 0 && now < u.leave_by) return;
    u.tracker.expire_all(stats_);
    u.state = user::idle;
    for (auto& d : u.devices) {
      if (d.connection) d.connection->close();  // no more listener calls for it
      d.open = d.upgraded = false;
      d.reconnect_at.reset();
      release_connect_slot(d);
    }
    u.in_flight -= u.acks.size();
    u.acks.clear();
  }

  void queue_connect(std::size_t i, std::size_t d) {
    device& dev = users_[i]->devices[d];
    if (dev.queued) return;
    dev.queued = true;
    connect_queue_.emplace_back(i, d);
    pump_connects();
  }

  void pump_connects() {
    while (connecting_ < options_.connect_concurrency && !connect_queue_.empty() && !finishing_) {
      const auto [i, d] = connect_queue_.front();
      connect_queue_.pop_front();
      user& u = *users_[i];
      device& dev = u.devices[d];
      dev.queued = false;
      if (u.state != user::connecting && u.state != user::active) continue;
      ws_async_target t = device_target(options_, u, d);
      if (!options_.source_ips.empty())
        t.source_address = options_.source_ips[source_cursor_++ % options_.source_ips.size()];
      ++connecting_;
      dev.connecting = true;
      dev.connection->connect(t);
    }
  }

  void release_connect_slot(device& dev) {
    if (!dev.connecting) return;
    dev.connecting = false;
    --connecting_;
    pump_connects();
  }

  void schedule_reconnect(device& dev) {
    dev.reconnect_at = steady::now() + reconnect_delay(dev.attempts++, rng_);
  }

  // Writes start once every device has tried once: a device that failed is retried, and
  // it is expected to receive only what is written after it is up.
  void note_first_attempt(user& u, device& dev) {
    if (dev.first_attempt_done) return;
    dev.first_attempt_done = true;
    if (u.state != user::connecting || ++u.first_attempts < u.devices.size()) return;
    u.state = user::active;
    if (writing_) schedule_first_write(u);
  }

  void schedule_first_write(user& u) {
    if (period_.count() == 0) return;
    // Spread users over the period (golden-ratio sequence): writes do not bunch up.
    const double phase = std::fmod(static_cast<double>(u.global) * 0.6180339887498949, 1.0);
    const auto at = steady::now() + std::chrono::duration_cast<steady::duration>(period_ * phase);
    schedule_.add({at, u.index, u.generation});
  }

  void write_due(const write_schedule::entry& e) {
    user& u = *users_[e.user];
    if (e.generation != u.generation || u.state != user::active) return;
    writes_.write(u, e.at, steady::now());
    schedule_.add(
        {e.at + std::chrono::duration_cast<steady::duration>(period_), e.user, e.generation});
  }

  void arm_tick() {
    tick_timer_.expires_after(tick_period);
    const auto expected = steady::now() + tick_period;
    tick_timer_.async_wait([this, expected](boost::system::error_code ec) {
      if (ec) return;
      tick(expected);
      arm_tick();
    });
  }

  void tick(steady::time_point expected) {
    const auto now = steady::now();
    stats_[trend::tool_loop_lag].record(now > expected ? now - expected : steady::duration{});
    const std::size_t n = users_.size();
    if (n == 0) return;
    // Each user is visited once a second: expiry, leaving, reconnects, pings.
    const std::size_t slice = (n + 9) / 10;
    for (std::size_t k = 0; k < slice; ++k) {
      const std::size_t i = cursor_++ % n;
      user& u = *users_[i];
      u.tracker.expire(now, options_.delivery_timeout, stats_);
      if (u.state == user::leaving) settle_leaving(u, now);
      if (u.state != user::connecting && u.state != user::active) continue;
      for (std::size_t d = 0; d < u.devices.size(); ++d) {
        device& dev = u.devices[d];
        note_caught_up(u, d, now);  // what it was owed expired meanwhile (counted lost)
        if (dev.reconnect_at && *dev.reconnect_at <= now) {
          dev.reconnect_at.reset();
          queue_connect(i, d);
        }
        if (dev.ping_sent && now - *dev.ping_sent > 30s) dev.ping_sent.reset();  // unanswered
        // A server that checks the token after the upgrade (the Node original) drops what
        // arrives before: ask again until it answers.
        if (dev.upgraded && !dev.open && dev.ping_sent && now - *dev.ping_sent >= 500ms)
          ping(dev, now);
        if (dev.open && options_.ping_period.count() > 0 && !dev.ping_sent &&
            now - dev.last_ping >= options_.ping_period)
          ping(dev, now);
      }
    }
  }

  const load_options& options_;
  milliseconds period_;
  asio::io_context ioc_{1};
  asio::steady_timer tick_timer_{ioc_}, stop_timer_{ioc_};
  std::vector<std::unique_ptr<user>> users_;
  std::vector<std::unique_ptr<http_async_pool>> pools_;
  std::string service_auth_;
  write_schedule schedule_{ioc_, [this](const write_schedule::entry& e) { write_due(e); }};
  std::deque<std::pair<std::size_t, std::size_t>> connect_queue_;
  std::size_t connecting_ = 0, cursor_ = 0, source_cursor_ = 0;
  bool writing_ = true, finishing_ = false;
  load_stats stats_;
  write_sender writes_{options_, stats_, pools_, service_auth_};
  std::minstd_rand rng_;
  alignas(16) unsigned char parse_buffer_[16 * 1024];
};

shard::shard(const load_options& options, std::vector<std::size_t> users)
    : impl_(std::make_unique<impl>(options, std::move(users))) {}
shard::~shard() = default;

void shard::run() {
  impl_->run();
}
void shard::set_target_users(std::size_t target) {
  impl_->post([this, target] { impl_->set_target_users(target); });
}
void shard::set_write_period(milliseconds period) {
  impl_->post([this, period] { impl_->set_write_period(period); });
}
void shard::stop_writes() {
  impl_->post([this] { impl_->stop_writes(); });
}
std::future<shard_snapshot> shard::finish() {
  auto promise = std::make_shared<std::promise<shard_snapshot>>();
  auto future = promise->get_future();
  impl_->post([this, promise] {
    impl_->finish();
    promise->set_value(impl_->snapshot());
  });
  return future;
}
std::future<shard_snapshot> shard::snapshot() {
  auto promise = std::make_shared<std::promise<shard_snapshot>>();
  auto future = promise->get_future();
  impl_->post([this, promise] { promise->set_value(impl_->snapshot()); });
  return future;
}

}  // namespace archibald::load
