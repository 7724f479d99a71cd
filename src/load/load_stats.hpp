// What one load shard measured over an interval: latency histograms and counters with fixed
// slots (no lookups on the hot path), merged across threads, worker processes and seconds.
// Names follow k6 where k6 has the metric. Not thread-safe: one owner, merge() to combine.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/latency_histogram.hpp"

namespace archibald::load {

enum class trend : std::size_t {
  ws_connecting,               // TCP connect + WebSocket handshake
  ws_e2e_latency,              // intended write time → the event on each other device
  ws_e2e_latency_uncorrected,  // actual send time → the event (what a closed loop would show)
  ws_e2e_latency_same_node,    // ws_e2e_latency of events received on the node that took the write
  ws_e2e_latency_cross_node,   // … and on another node (several --url only)
  ws_ping,                     // "ping" → "pong" round trip
  ws_catch_up,                 // a dropped device: its drop → back, with every event owed it
  http_req_duration,           // REST / publish write round trip
  ws_ack_duration,             // WebSocket write → its ACK
  write_send_lag,              // how late a write left against its intended time
  tool_loop_lag,               // how late the tool's own event loop ran a 100 ms timer
  count
};

enum class counter : std::size_t {
  writes,              // writes sent
  writes_failed,       // refused, failed or unanswered
  writes_late,         // sent more than 10 ms after their intended time
  writes_skipped,      // not sent: no open device or too many in flight
  ws_msgs_sent,        // WebSocket frames the tool sent (writes and pings)
  ws_msgs_received,    // WebSocket frames received
  deliveries,          // tool write events received where expected (first time)
  ws_msgs_lost,        // expected deliveries that never arrived within the timeout
  ws_msgs_duplicated,  // a write's event received twice by one device
  ws_msgs_reordered,   // a write's event received after a later write's
  ws_msgs_late,        // arrived after the delivery timeout (already counted lost)
  ws_seq_gaps,         // seq numbers a device skipped (servers that send seq)
  ws_connect_ok,       // WebSocket connections opened (first time and reconnects)
  ws_connect_failed,   // connection attempts that failed
  ws_reconnects,       // re-opened after a drop
  ws_drops,            // connections the server closed or reset
  count
};

// Values that describe "now" rather than add up: summed across shards, sampled each second.
struct load_gauges {
  std::uint64_t users = 0;        // users active
  std::uint64_t connections = 0;  // WebSocket connections open
  std::uint64_t pending = 0;      // writes awaiting deliveries
};

std::string_view name_of(trend t);
std::string_view name_of(counter c);
std::optional<trend> trend_named(std::string_view name);
std::optional<counter> counter_named(std::string_view name);

struct load_stats {
  std::array<latency_histogram, static_cast<std::size_t>(trend::count)> trends;
  std::array<std::uint64_t, static_cast<std::size_t>(counter::count)> counters{};

  latency_histogram& operator[](trend t) { return trends[static_cast<std::size_t>(t)]; }
  const latency_histogram& operator[](trend t) const { return trends[static_cast<std::size_t>(t)]; }
  std::uint64_t& operator[](counter c) { return counters[static_cast<std::size_t>(c)]; }
  std::uint64_t operator[](counter c) const { return counters[static_cast<std::size_t>(c)]; }

  // Why writes and connections failed: reason → count (at most max_error_kinds reasons).
  std::map<std::string, std::uint64_t, std::less<>> errors;
  static constexpr std::size_t max_error_kinds = 32;
  void note_error(std::string_view reason);

  // Several --url: what happened per node (index in --url): writes sent through it, deliveries
  // to its devices and their e2e latency, its connections. Empty with one --url.
  std::vector<load_stats> nodes;
  load_stats& node(std::size_t index);

  void merge(const load_stats& other);

  // Exact round trip through JSON (worker process → parent).
  boost::json::object to_json() const;
  static std::optional<load_stats> from_json(const boost::json::object& json);
};

// Counts one c in stats and, when given, in a node's part of them.
inline void count(load_stats& stats, load_stats* node, counter c) {
  ++stats[c];
  if (node) ++(*node)[c];
}

// Records one t sample in stats and, when given, in a node's part of them.
template <typename Duration>
void record(load_stats& stats, load_stats* node, trend t, Duration d) {
  stats[t].record(d);
  if (node) (*node)[t].record(d);
}

}  // namespace archibald::load
