// The node's LISTEN session on the events' hint channel (DESIGN §6): a thread and a connection
// of its own that hands every hint ("user:seq", and the session that sent it) to on_hint. When the
// session is lost it listens again first and then calls on_listening, so that the users here catch
// up on what was committed meanwhile; on_listening also runs on the first LISTEN. While listening
// it calls on_position_check every position_check_interval: a last net for a hint lost all the
// same.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace archibald {

class pg_listener {
 public:
  // sender_pid: the database session that committed it (pg_store::writer_pid on its node).
  using hint_handler =
      std::function<void(std::string_view user_id, std::int64_t seq, int sender_pid)>;

  static constexpr std::chrono::seconds position_check_interval{5};

  pg_listener(std::string url, hint_handler on_hint, std::function<void()> on_listening,
              std::function<void()> on_position_check);
  ~pg_listener();  // stops the thread
  pg_listener(const pg_listener&) = delete;
  pg_listener& operator=(const pg_listener&) = delete;

  bool listening() const { return listening_.load(std::memory_order_relaxed); }

 private:
  void run();

  const std::string url_;
  const hint_handler on_hint_;
  const std::function<void()> on_listening_;
  const std::function<void()> on_position_check_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::thread thread_;
};

// "user:seq" → its parts; the user id may itself hold ':' (the seq follows the last one).
bool parse_hint(std::string_view payload, std::string_view& user_id, std::int64_t& seq);

}  // namespace archibald
