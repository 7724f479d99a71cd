// The state of one simulated user and its devices, as a shard keeps it. Plain data; the
// shard that owns the user is the only one to touch it (its own thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/ws_async.hpp"
#include "load/delivery_tracker.hpp"
#include "load/load_options.hpp"

namespace archibald::load {

struct simulated_device {
  using time_point = std::chrono::steady_clock::time_point;
  std::unique_ptr<ws_async_connection> connection;
  std::string token;
  bool open = false, opened_before = false, first_attempt_done = false, queued = false;
  bool connecting = false;  // holds one of the connect_concurrency slots
  bool upgraded = false;    // the handshake succeeded; open once the server has answered
  unsigned attempts = 0;
  std::optional<time_point> reconnect_at, ping_sent;
  std::optional<time_point> dropped_at;  // since its drop, until it has caught up
  time_point last_ping{};
};

// A WebSocket write waiting for its ACK.
struct pending_ack {
  std::int64_t key;
  std::chrono::steady_clock::time_point sent;
  std::size_t device;
};

struct simulated_user {
  enum { idle, connecting, active, leaving } state = idle;
  std::size_t index;   // in its shard
  std::size_t global;  // in the run: the id's number, the phase of its writes
  std::string id;
  std::vector<simulated_device> devices;
  delivery_tracker tracker;
  std::int64_t last_key = 0;
  std::size_t in_flight = 0, next_writer = 0, first_attempts = 0;
  std::uint64_t generation = 0;  // bumped when it (re)joins or leaves: stale writes are dropped
  std::chrono::steady_clock::time_point leave_by;
  std::vector<pending_ack> acks;

  simulated_user(const load_options& o, std::size_t shard_index, std::size_t g)
      : index(shard_index),
        global(g),
        id(o.run_id + "-u" + std::to_string(g)),
        devices(o.devices),
        tracker(device_nodes(o, g), o.urls.size()) {}  // the tracker knows each device's node
};

}  // namespace archibald::load
