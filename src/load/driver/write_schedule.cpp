#include "load/driver/write_schedule.hpp"

namespace archibald::load {

write_schedule::write_schedule(boost::asio::io_context& ioc, due_fn due)
    : timer_(ioc), due_(std::move(due)) {}

void write_schedule::add(const entry& e) {
  heap_.push(e);
  if (!running_ && heap_.top().at == e.at) arm();
}

void write_schedule::clear() {
  heap_ = {};
  timer_.cancel();
}

void write_schedule::arm() {
  if (heap_.empty()) return;
  timer_.expires_at(heap_.top().at);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) run_due();
  });
}

void write_schedule::run_due() {
  const auto now = std::chrono::steady_clock::now();
  running_ = true;
  while (!heap_.empty() && heap_.top().at <= now) {
    const entry e = heap_.top();
    heap_.pop();
    due_(e);
  }
  running_ = false;
  arm();
}

}  // namespace archibald::load
