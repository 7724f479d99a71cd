// Statement-level access for the SQLite store: the writer connection as a store_transaction
// and the reader connection as a store_reader, with their prepared statements. Each object is
// used by one thread only (sqlite_store's writer or reader thread).
#pragma once

#include "store/sqlite_connection.hpp"
#include "store/sync_store.hpp"

namespace archibald {

std::int64_t now_ms();

// Errors that say the storage itself is unusable (as opposed to one bad statement).
bool is_storage_fault(int code);

struct write_statements {
  sqlite_statement find, put, erase, next_seq, append, trim, savepoint, release, rollback_to;
  sqlite_statement begin, commit;  // prepared once: exec() parsed them again for every batch
};

class sqlite_writer final : public store_transaction {
 public:
  sqlite_writer(const std::string& path, std::int64_t retention_count, const char* vfs);
  void prepare();
  // Runs a statement that returns no rows; false (and sticky failure) on error.
  bool run(sqlite_statement& stmt);
  void clear_failure() { failed_ = false; }
  void fail_job() { failed_ = true; }  // the job itself gave up (threw)
  int failure_code() const { return failed_code_; }

  std::optional<stored_record> find(std::string_view collection, std::string_view id) override;
  void put(std::string_view collection, const stored_record& r) override;
  void erase(std::string_view collection, std::string_view id) override;
  std::int64_t next_seq(std::string_view user_id) override;
  void append_event(std::string_view user_id, const appended_event& e) override;
  bool failed() const override { return failed_; }

  sqlite_connection db;
  write_statements s;

 private:
  bool check(int rc, int expected);
  std::int64_t retention_count_;
  bool failed_ = false;
  int failed_code_ = 0;
};

class sqlite_reader final : public store_reader {
 public:
  explicit sqlite_reader(const std::string& path);
  void prepare();
  void clear_failure() { failed_ = false; }

  std::vector<std::string> list(std::string_view collection, std::string_view user_id,
                                std::optional<std::int64_t> updated_after) override;
  event_window events_after_seq(std::string_view user_id, std::int64_t after_seq,
                                std::size_t limit) override;
  event_window events_after_time(std::string_view user_id, std::int64_t after_ms,
                                 std::size_t limit) override;
  std::vector<std::int64_t> last_seqs(const std::vector<std::string>& user_ids) override;
  bool failed() const override { return failed_; }

  sqlite_connection db;

 private:
  event_window window(std::string_view user_id, sqlite_statement& q, std::int64_t after,
                      std::size_t limit);
  sqlite_statement list_all_, list_after_, last_seq_, first_seq_, after_seq_, after_time_;
  bool failed_ = false;
};

}  // namespace archibald
