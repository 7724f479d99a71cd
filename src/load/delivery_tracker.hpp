// One user's writes in flight and what each of the user's devices received: end-to-end
// latency from the intended send time, loss (expected deliveries missing at the timeout),
// duplicates, reorderings and seq gaps; with several nodes (--url), split by node: latency of
// events received on the node that took the write apart from those on another node, and
// per-node figures (load_stats::nodes). Pure logic; the shard that owns the user drives it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "load/load_stats.hpp"

namespace archibald::load {

class delivery_tracker {
 public:
  using clock = std::chrono::steady_clock;

  // All devices on one node.
  explicit delivery_tracker(std::size_t devices);
  // device_nodes[d]: the node device d connects to, of node_count.
  delivery_tracker(std::vector<std::size_t> device_nodes, std::size_t node_count);

  // The device has an open connection: writes sent from now on are expected there (after a
  // drop it stays expected: it resumes with lastSeq and gets them by replay).
  void device_attached(std::size_t device);

  // A write left; keys are unique and increasing per user. writer: the device that wrote
  // (its own copy is not an end-to-end sample), or none (publish). via: the node it went to.
  void write_sent(std::int64_t key, clock::time_point intended, clock::time_point sent,
                  std::optional<std::size_t> writer, std::size_t via = 0);
  // The server refused it or never answered: its event is not expected.
  void write_failed(std::int64_t key);

  void event_received(std::size_t device, std::int64_t key, std::optional<std::int64_t> seq,
                      clock::time_point now, load_stats& stats);

  // Writes sent more than `timeout` ago leave the window; what they missed counts as lost.
  void expire(clock::time_point now, std::chrono::milliseconds timeout, load_stats& stats);
  void expire_all(load_stats& stats);

  // Writes whose deliveries are not all in.
  std::size_t incomplete() const;
  std::size_t in_window() const { return window_.size(); }
  // The node (index in --url) the device connects to.
  std::size_t node_of(std::size_t device) const { return devices_[device].node; }
  // Where a device's figures also go: its node's part of stats, or none with a single node.
  load_stats* node_stats(std::size_t device, load_stats& stats) const;

  // Several nodes: the device could not reach its node, or lost it; it goes to another one, as
  // a client behind a load balancer lands on another node. `spread` picks which of the others
  // (a lost node's devices spread over the rest rather than all landing on the next one).
  void fail_over(std::size_t device, std::size_t spread = 0);
  // Writes whose event the device is expected to get and has not yet.
  std::size_t owed(std::size_t device) const;

  // The highest seq the device has seen (for resuming with lastSeq).
  std::optional<std::int64_t> last_seq(std::size_t device) const;

 private:
  struct write {
    std::int64_t key;
    clock::time_point intended, sent;
    std::uint64_t expected = 0, received = 0;
    int writer = -1;
    std::size_t via = 0;
  };
  struct device_state {
    bool attached = false;
    std::int64_t last_key = INT64_MIN;
    std::optional<std::int64_t> last_seq;
    std::size_t node = 0;
  };
  write* find(std::int64_t key);
  void settle(const write& w, load_stats& stats) const;

  std::deque<write> window_;
  std::vector<device_state> devices_;
  std::size_t node_count_ = 1;
  bool per_node_ = false;
};

}  // namespace archibald::load
