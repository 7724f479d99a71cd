// Counts the sockets this process holds so it never runs out of file descriptors: a
// connection past the budget is refused cleanly instead of failing in accept(). Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

namespace archibald {

class socket_budget {
 public:
  explicit socket_budget(std::size_t max_sockets) : max_(max_sockets) {}

  bool try_acquire() {
    if (open_.fetch_add(1, std::memory_order_relaxed) >= max_) {
      open_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void release() { open_.fetch_sub(1, std::memory_order_relaxed); }
  std::size_t open() const { return open_.load(std::memory_order_relaxed); }

 private:
  const std::size_t max_;
  std::atomic<std::size_t> open_{0};
};

// One acquired socket; released when the last owner (HTTP, then WebSocket session) goes.
class socket_slot {
 public:
  socket_slot() = default;
  explicit socket_slot(socket_budget& budget) : budget_(&budget) {}
  socket_slot(socket_slot&& other) noexcept : budget_(std::exchange(other.budget_, nullptr)) {}
  socket_slot& operator=(socket_slot&&) = delete;
  ~socket_slot() {
    if (budget_) budget_->release();
  }

 private:
  socket_budget* budget_ = nullptr;
};

}  // namespace archibald
