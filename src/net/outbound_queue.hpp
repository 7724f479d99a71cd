// A connection's outbound frames and the one count of their bytes that bounds them (the
// slow-consumer policy, DESIGN §2.2): every frame is counted from the moment it is accepted
// until it is written or dropped, and only here.
//
// Threads: reserve() and bytes() from any thread (the fan-out calls them); everything else on
// the connection's own event loop. A frame is reserved off the loop, then pushed (or given
// back with release()) on it.
//
// While held (a replay in progress), pushed frames wait apart until resume(); the connection's
// own frames (push_now: replay pages, pong, RESYNC_REQUIRED) go out at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include "protocol/envelope.hpp"

namespace archibald {

class outbound_queue {
 public:
  using clock = std::chrono::steady_clock;
  struct entry {
    shared_message message;
    clock::time_point queued_at{};  // when the fan-out queued it; epoch for the connection's own
  };

  explicit outbound_queue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Any thread. Counts `bytes` unless that takes the queue over its bound; a frame larger
  // than the bound is still let through to an empty queue.
  bool reserve(std::size_t bytes);
  std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

  // The connection's loop only, below.
  void release(std::size_t bytes);  // a reserved frame that will not be pushed
  void push(entry e);               // reserved already; waits apart while held
  void push_now(shared_message m);  // counts and queues it, ahead of held frames

  void hold() { holding_ = true; }
  bool holding() const { return holding_; }
  // Queues the held frames in order, dropping (and uncounting) those `already_sent` says the
  // client has.
  void resume(const std::function<bool(const outbound_frame&)>& already_sent);

  // Writing: one frame at a time, front to back.
  bool writing() const { return writing_; }
  bool has_unwritten() const { return queue_.size() - head_ > (writing_ ? 1 : 0); }
  const entry& start_write();  // the next frame, now in flight
  entry finish_write();        // the frame in flight, written (or failed): uncounted, removed

  // Drops every frame not yet in flight, held ones included (the connection is closing).
  void drop_unwritten();

 private:
  const std::size_t max_bytes_;
  std::atomic<std::size_t> bytes_{0};  // reserved + queued + held + in flight
  // queue_[head_] is the next to write (in flight while writing_); a vector, not a deque: an
  // idle connection's queue must cost nothing (a deque allocates ~600 bytes up front).
  std::vector<entry> queue_;
  std::size_t head_ = 0;
  std::vector<entry> held_;
  bool writing_ = false;
  bool holding_ = false;
};

}  // namespace archibald
