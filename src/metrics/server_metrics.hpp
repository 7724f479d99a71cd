// The server's counters, updated from every network thread (relaxed atomics: each is an
// independent tally, read only for reporting) and the ping round-trip statistics.
// One instance per server, shared by reference; every member function is thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "metrics/latency_histogram.hpp"
#include "metrics/write_stages.hpp"

namespace archibald {

using counter = std::atomic<std::uint64_t>;

inline void add(counter& c, std::uint64_t n = 1) {
  c.fetch_add(n, std::memory_order_relaxed);
}
inline std::uint64_t read(const counter& c) {
  return c.load(std::memory_order_relaxed);
}

struct server_metrics {
  // WebSocket connections
  counter ws_accepted;             // handshakes completed and registered
  counter ws_rejected_capacity;    // over the total, per-user or file-descriptor cap: 1013
  counter ws_rejected_origin;      // Origin not in ALLOWED_ORIGINS: 403
  counter auth_failures;           // WebSocket or HTTP: bad / missing / expired token
  counter reconnections;           // a user who already had a connection got another
  counter slow_consumer_closes;    // outbound queue over its byte bound: 1013
  counter oversize_closes;         // inbound message over the limit: 1009
  counter rate_limit_closes;       // inbound flood: 1008
  counter token_expiry_closes;     // WS_ENFORCE_TOKEN_EXPIRY: 1008 "Token expired"
  counter tls_handshakes;          // completed TLS handshakes
  counter tls_handshake_failures;  // failed or timed out (old protocol, bad client, slowloris)
  counter tls_plain_refused;       // plain requests on a TLS-only port (answered 400)
  counter heartbeat_timeouts;      // no pong to the previous ping: terminated
  counter protocol_errors;         // bad UTF-8, bad frames, ...
  counter handler_exceptions;      // a network handler threw (a bug): its connection was dropped

  // Messages
  counter messages_sent;  // frames written to a client (events, pong, ACK)
  counter bytes_sent;
  counter messages_received;  // frames read from a client
  counter bytes_received;
  counter messages_ignored;      // client frames with no meaning to the server
  counter events_published;      // events fanned out (sync writes and the publish API)
  counter deliveries_dropped;    // event not queued: connection closing or over its bound
  counter ownership_violations;  // a user tried to write or delete another user's record
  counter ws_writes;             // client writes (DRAFT_* / PENDING_*) over WebSocket
  counter replays;               // connections that asked for replay
  counter resyncs;               // RESYNC_REQUIRED sent

  // HTTP
  counter http_requests;           // requests the router answered
  counter http_client_errors;      // responses 4xx, router or transport
  counter http_server_errors;      // responses 5xx
  counter http_rejected_capacity;  // connections refused: out of file descriptors

  // Every HTTP response the server sends (101 upgrades and the transport's own 400 / 413 / 431
  // included), by status code.
  void record_http_response(unsigned status);
  std::uint64_t http_responses(unsigned status) const;  // 0 outside 100..599

  // Ping → pong round trips: histogram plus the last 100 samples (the original's average).
  void record_ping_rtt(std::chrono::nanoseconds rtt);
  double average_latency_ms() const;  // mean of the last 100 samples, 0 when none
  latency_histogram ping_rtt_snapshot() const;

  write_stage_timings write_stages;  // where a write's time goes

 private:
  static constexpr unsigned first_status = 100, last_status = 599;
  std::array<counter, last_status - first_status + 1> http_responses_{};

  static constexpr std::size_t recent_size = 100;
  mutable std::mutex rtt_mutex_;
  latency_histogram rtt_histogram_;              // guarded by rtt_mutex_
  std::array<double, recent_size> recent_ms_{};  // guarded by rtt_mutex_
  std::size_t recent_count_ = 0;                 // guarded by rtt_mutex_
  std::size_t recent_next_ = 0;                  // guarded by rtt_mutex_
};

}  // namespace archibald
