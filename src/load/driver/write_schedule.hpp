// A shard's open-loop timetable: the next intended write of every active user in a min-heap,
// one timer for the earliest. When entries fall due, `due` is called with each (it may add
// the user's next entry); lateness is the caller's to measure. Single-threaded.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace archibald::load {

class write_schedule {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  struct entry {
    time_point at;
    std::size_t user;
    std::uint64_t generation;
    bool operator>(const entry& o) const { return at > o.at; }
  };
  using due_fn = std::function<void(const entry&)>;

  write_schedule(boost::asio::io_context& ioc, due_fn due);
  void add(const entry& e);
  void clear();  // no further calls of due until the next add

 private:
  void arm();
  void run_due();

  boost::asio::steady_timer timer_;
  due_fn due_;
  std::priority_queue<entry, std::vector<entry>, std::greater<>> heap_;
  bool running_ = false;  // inside run_due: it re-arms once at the end
};

}  // namespace archibald::load
