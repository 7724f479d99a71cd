#include "postgres/pg_listener.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

#include "postgres/pg_access.hpp"
#include "postgres/pg_connection.hpp"

namespace archibald {

bool parse_hint(std::string_view payload, std::string_view& user_id, std::int64_t& seq) {
  const auto colon = payload.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const char* end = payload.data() + payload.size();
  const auto [ptr, ec] = std::from_chars(payload.data() + colon + 1, end, seq);
  if (ec != std::errc() || ptr != end || seq <= 0) return false;
  user_id = payload.substr(0, colon);
  return true;
}

pg_listener::pg_listener(std::string url, hint_handler on_hint, std::function<void()> on_listening,
                         std::function<void()> on_position_check)
    : url_(std::move(url)),
      on_hint_(std::move(on_hint)),
      on_listening_(std::move(on_listening)),
      on_position_check_(std::move(on_position_check)) {
  thread_ = std::thread([this] { run(); });
}

pg_listener::~pg_listener() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void pg_listener::run() {
  const std::string listen = std::string("LISTEN ") + pg_event_channel;
  while (!stopping_) {
    pg_connection db(url_);
    if (!db.ok() || !db.exec(listen.c_str()).ok()) {
      if (listening_.exchange(false)) spdlog::error("cluster: LISTEN session lost; retrying");
      for (int i = 0; i < 10 && !stopping_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (!listening_.exchange(true)) spdlog::info("cluster: listening for other nodes' events");
    on_listening_();  // listening first, then catching up: nothing falls between the two
    auto next_check = std::chrono::steady_clock::now() + position_check_interval;
    while (!stopping_ && db.ok()) {
      if (std::chrono::steady_clock::now() >= next_check) {
        on_position_check_();
        next_check += position_check_interval;
      }
      const auto n = db.notification(std::chrono::milliseconds(250));
      if (!n) continue;
      std::string_view user_id;
      std::int64_t seq = 0;
      if (parse_hint(n->payload, user_id, seq)) on_hint_(user_id, seq, n->sender_pid);
    }
  }
}

}  // namespace archibald
