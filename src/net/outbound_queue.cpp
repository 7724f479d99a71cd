#include "net/outbound_queue.hpp"

#include <cassert>

namespace archibald {

bool outbound_queue::reserve(std::size_t bytes) {
  const std::size_t total = bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (total > max_bytes_ && total != bytes) {
    bytes_.fetch_sub(bytes, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void outbound_queue::release(std::size_t bytes) {
  [[maybe_unused]] const std::size_t before = bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  assert(before >= bytes && "only reserved bytes are released");
}

void outbound_queue::push(entry e) {
  if (holding_) {
    held_.push_back(std::move(e));
  } else {
    queue_.push_back(std::move(e));
  }
}

void outbound_queue::push_now(shared_message m) {
  bytes_.fetch_add(m->size(), std::memory_order_relaxed);
  queue_.push_back({std::move(m)});
}

void outbound_queue::resume(const std::function<bool(const outbound_frame&)>& already_sent) {
  holding_ = false;
  for (auto& e : held_) {
    if (already_sent(*e.message)) {
      release(e.message->size());
    } else {
      queue_.push_back(std::move(e));
    }
  }
  held_.clear();
}

const outbound_queue::entry& outbound_queue::start_write() {
  assert(has_unwritten());
  writing_ = true;
  return queue_[head_];
}

outbound_queue::entry outbound_queue::finish_write() {
  assert(writing_);
  writing_ = false;
  entry e = std::move(queue_[head_++]);
  release(e.message->size());
  if (head_ == queue_.size()) {  // all written: start again at the front, give back the room
    queue_.clear();
    head_ = 0;
    if (queue_.capacity() > 64) queue_.shrink_to_fit();
  }
  return e;
}

void outbound_queue::drop_unwritten() {
  const std::size_t keep = head_ + (writing_ ? 1 : 0);
  while (queue_.size() > keep) {
    release(queue_.back().message->size());
    queue_.pop_back();
  }
  for (const auto& e : held_) release(e.message->size());
  held_.clear();
  holding_ = false;
}

}  // namespace archibald
