// What a PostgreSQL read job sees: the store_reader of one connection (a write job sees a
// pg_batch). Errors are sticky: after the first failed statement every call is a no-op.
#pragma once

#include "postgres/pg_connection.hpp"
#include "store/sync_store.hpp"

namespace archibald {

// The channel of the events' hints ("user:seq"): the nodes LISTEN to it.
inline constexpr const char* pg_event_channel = "archibald_events";

class pg_reader final : public store_reader {
 public:
  explicit pg_reader(pg_connection& db) : db_(db) {}

  std::vector<std::string> list(std::string_view collection, std::string_view user_id,
                                std::optional<std::int64_t> updated_after) override;
  event_window events_after_seq(std::string_view user_id, std::int64_t after_seq,
                                std::size_t limit) override;
  event_window events_after_time(std::string_view user_id, std::int64_t after_ms,
                                 std::size_t limit) override;
  std::vector<std::int64_t> last_seqs(const std::vector<std::string>& user_ids) override;
  std::vector<event_window> events_after_seqs(const std::vector<user_position>& users,
                                              std::size_t limit) override;
  bool failed() const override { return failed_; }
  bool lost() const { return lost_; }  // the connection is gone: the store opens another

 private:
  // The users' windows in one statement (pg_access.cpp windows_sql): each user's events after
  // its own bound (a seq or a time, as the statement reads it), at most `limit` each, in the
  // order asked; all empty when the statement failed.
  std::vector<event_window> windows(const std::string& sql,
                                    const std::vector<std::string_view>& user_ids,
                                    const std::vector<std::int64_t>& after, std::size_t limit);
  bool check(const pg_rows& rows);

  pg_connection& db_;
  bool failed_ = false;
  bool lost_ = false;
};

}  // namespace archibald
