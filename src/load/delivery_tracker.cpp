#include "load/delivery_tracker.hpp"

#include <algorithm>
#include <bit>

namespace archibald::load {

delivery_tracker::delivery_tracker(std::size_t devices) : devices_(devices) {}

delivery_tracker::delivery_tracker(std::vector<std::size_t> device_nodes, std::size_t node_count)
    : devices_(device_nodes.size()), node_count_(node_count), per_node_(node_count > 1) {
  for (std::size_t d = 0; d < devices_.size(); ++d) devices_[d].node = device_nodes[d];
}

load_stats* delivery_tracker::node_stats(std::size_t device, load_stats& stats) const {
  return per_node_ ? &stats.node(devices_[device].node) : nullptr;
}

void delivery_tracker::device_attached(std::size_t device) {
  devices_[device].attached = true;
}

void delivery_tracker::write_sent(std::int64_t key, clock::time_point intended,
                                  clock::time_point sent, std::optional<std::size_t> writer,
                                  std::size_t via) {
  write w{key, intended, sent, 0, 0, writer ? static_cast<int>(*writer) : -1, via};
  for (std::size_t d = 0; d < devices_.size(); ++d)
    if (devices_[d].attached) w.expected |= std::uint64_t{1} << d;
  window_.push_back(w);
}

delivery_tracker::write* delivery_tracker::find(std::int64_t key) {
  const auto it = std::lower_bound(window_.begin(), window_.end(), key,
                                   [](const write& w, std::int64_t k) { return w.key < k; });
  return it != window_.end() && it->key == key ? &*it : nullptr;
}

void delivery_tracker::write_failed(std::int64_t key) {
  if (write* w = find(key)) w->expected = 0;
}

void delivery_tracker::event_received(std::size_t device, std::int64_t key,
                                      std::optional<std::int64_t> seq, clock::time_point now,
                                      load_stats& stats) {
  device_state& d = devices_[device];
  if (seq) {
    if (d.last_seq && *seq > *d.last_seq + 1)
      stats[counter::ws_seq_gaps] += static_cast<std::uint64_t>(*seq - *d.last_seq - 1);
    if (!d.last_seq || *seq > *d.last_seq) d.last_seq = seq;
  }
  write* w = find(key);
  const std::uint64_t bit = std::uint64_t{1} << device;
  if (!w) {
    // Older than the window: it was counted lost at its timeout (or is a duplicate of a
    // delivery that long gone); newer than any write: not ours.
    if (!window_.empty() && key < window_.front().key) ++stats[counter::ws_msgs_late];
    return;
  }
  load_stats* node = node_stats(device, stats);
  if (w->received & bit) return count(stats, node, counter::ws_msgs_duplicated);
  w->received |= bit;
  if (key < d.last_key) ++stats[counter::ws_msgs_reordered];
  d.last_key = std::max(d.last_key, key);
  if (!(w->expected & bit)) return;  // a failed write's event, or a device attached later
  count(stats, node, counter::deliveries);
  const bool own_copy = w->writer == static_cast<int>(device) && devices_.size() > 1;
  if (own_copy) return;
  const auto e2e = now - w->intended;
  record(stats, node, trend::ws_e2e_latency, e2e);
  stats[trend::ws_e2e_latency_uncorrected].record(now - w->sent);
  if (!node) return;
  const bool same_node = d.node == w->via;
  stats[same_node ? trend::ws_e2e_latency_same_node : trend::ws_e2e_latency_cross_node].record(e2e);
}

void delivery_tracker::settle(const write& w, load_stats& stats) const {
  const std::uint64_t missing = w.expected & ~w.received;
  stats[counter::ws_msgs_lost] += static_cast<std::uint64_t>(std::popcount(missing));
  if (!per_node_ || missing == 0) return;
  for (std::size_t d = 0; d < devices_.size(); ++d)
    if (missing & (std::uint64_t{1} << d)) ++(*node_stats(d, stats))[counter::ws_msgs_lost];
}

void delivery_tracker::expire(clock::time_point now, std::chrono::milliseconds timeout,
                              load_stats& stats) {
  while (!window_.empty() && now - window_.front().sent > timeout) {
    settle(window_.front(), stats);
    window_.pop_front();
  }
}

void delivery_tracker::expire_all(load_stats& stats) {
  for (const auto& w : window_) settle(w, stats);
  window_.clear();
}

std::size_t delivery_tracker::incomplete() const {
  return static_cast<std::size_t>(std::count_if(window_.begin(), window_.end(), [](const write& w) {
    return (w.expected & ~w.received) != 0;
  }));
}

void delivery_tracker::fail_over(std::size_t device, std::size_t spread) {
  if (node_count_ < 2) return;
  std::size_t& node = devices_[device].node;
  node = (node + 1 + spread % (node_count_ - 1)) % node_count_;
}

std::size_t delivery_tracker::owed(std::size_t device) const {
  const std::uint64_t bit = std::uint64_t{1} << device;
  return static_cast<std::size_t>(
      std::count_if(window_.begin(), window_.end(),
                    [bit](const write& w) { return (w.expected & ~w.received & bit) != 0; }));
}

std::optional<std::int64_t> delivery_tracker::last_seq(std::size_t device) const {
  return devices_[device].last_seq;
}

}  // namespace archibald::load
