// What the fan-out needs from one client connection, whatever carries it: a WebSocket session
// today, a link to another node later. Every member function is thread-safe and returns
// without doing I/O on the caller's thread (work is posted to the connection's own strand).
#pragma once

#include <cstdint>
#include <string_view>

#include "protocol/envelope.hpp"

namespace archibald {

enum class send_result {
  queued,      // will be written in order after what is already queued
  closing,     // the connection is closing or closed: dropped
  overloaded,  // over its outbound byte bound: dropped, and the connection is being closed 1013
};

class connection {
 public:
  virtual ~connection() = default;

  virtual send_result send(const shared_message& message) = 0;
  // Starts a close handshake with this WebSocket close code; idempotent.
  virtual void close(std::uint16_t code, std::string_view reason) = 0;
  // Called every heartbeat interval: ping, or terminate if the last ping went unanswered.
  virtual void heartbeat() = 0;
};

}  // namespace archibald
