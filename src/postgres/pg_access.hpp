// What a PostgreSQL write job and read job see: the store_transaction and store_reader of one
// connection. Errors are sticky: after the first failed statement every call is a no-op, and
// sqlstate() says what failed (the store rolls the job back, or the batch for a deadlock).
#pragma once

#include "postgres/pg_connection.hpp"
#include "store/sync_store.hpp"

namespace archibald {

// The channel of the events' hints ("user:seq"): the nodes LISTEN to it.
inline constexpr const char* pg_event_channel = "archibald_events";

class pg_transaction final : public store_transaction {
 public:
  pg_transaction(pg_connection& db, std::int64_t retention_count)
      : db_(db), retention_count_(retention_count) {}

  std::optional<stored_record> find(std::string_view collection, std::string_view id) override;
  void put(std::string_view collection, const stored_record& record) override;
  void erase(std::string_view collection, std::string_view id) override;
  std::int64_t next_seq(std::string_view user_id) override;
  void append_event(std::string_view user_id, const appended_event& event) override;
  bool failed() const override { return !sqlstate_.empty(); }

  const std::string& sqlstate() const { return sqlstate_; }
  void clear_failure() { sqlstate_.clear(); }
  void fail(std::string sqlstate) {
    if (sqlstate_.empty()) sqlstate_ = std::move(sqlstate);
  }
  // The statement's outcome; a failure is kept (the first one) and logged.
  bool check(const pg_rows& rows);

 private:
  pg_connection& db_;
  const std::int64_t retention_count_;
  std::string sqlstate_;
};

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
  bool failed() const override { return failed_; }
  bool lost() const { return lost_; }  // the connection is gone: the store opens another

 private:
  event_window window(std::string_view user_id, const char* events_sql, std::int64_t after,
                      std::size_t limit);
  bool check(const pg_rows& rows);

  pg_connection& db_;
  bool failed_ = false;
  bool lost_ = false;
};

}  // namespace archibald
