// A write batch's transaction on PostgreSQL, in few round trips whatever its size:
//   1. BEGIN, then every record and seq counter the batch's jobs declared (write_keys) locked
//      and read in two statements — one pipeline, one round trip;
//   2. the jobs run against what was read, in memory (what a job touches without having
//      declared it is locked and read when touched, one statement each);
//   3. flush(): what they changed, one statement per table — one pipeline — and the hints;
//   4. COMMIT (by the store).
// Locks are taken in key order (records, then counters), the same on every node, so two nodes'
// batches wait for each other rather than deadlock. A record read FOR UPDATE is decided on its
// committed state; one that did not exist may be created by another node meanwhile: the upsert
// then only overwrites its owner's older version, else the batch fails with 40001 and runs
// again (it now reads the row). Errors are sticky: after the first failure every call is a
// no-op, and sqlstate() says what failed (the store rolls the job back, or the batch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "postgres/pg_connection.hpp"
#include "protocol/string_map.hpp"
#include "store/sync_store.hpp"

namespace archibald {

class pg_batch final : public store_transaction {
 public:
  pg_batch(pg_connection& db, std::int64_t retention_count)
      : db_(db), retention_count_(retention_count) {}

  // BEGIN, and the keys' records and counters locked and read.
  void begin(const std::vector<const write_keys*>& keys);
  // Writes what the jobs changed; the events' hints go out at the COMMIT.
  void flush();

  std::optional<stored_record> find(std::string_view collection, std::string_view id) override;
  void put(std::string_view collection, const stored_record& record) override;
  void erase(std::string_view collection, std::string_view id) override;
  std::int64_t next_seq(std::string_view user_id) override;
  void append_event(std::string_view user_id, const appended_event& event) override;
  bool failed() const override { return !sqlstate_.empty(); }

  const std::string& sqlstate() const { return sqlstate_; }
  void fail(std::string sqlstate) {
    if (sqlstate_.empty()) sqlstate_ = std::move(sqlstate);
  }
  bool check(const pg_rows& rows);  // the first failure is kept and logged

 private:
  struct record_slot {
    std::string collection, id;
    std::optional<stored_record> record;  // as the batch leaves it; nullopt: absent
    bool changed = false;
  };
  struct counter {
    std::int64_t last_seq = 0;
    std::int64_t first_seq = 0;  // the first the batch took; 0: none taken
  };
  struct event_row {
    std::string user_id;
    std::int64_t seq, timestamp_ms;
    std::string frame;
  };

  static std::string slot_key(std::string_view collection, std::string_view id);
  record_slot& slot(std::string_view collection, std::string_view id);
  // Locks and reads the records and counters (BEGIN first if asked): one round trip.
  void lock(std::vector<std::pair<std::string_view, std::string_view>> records,
            std::vector<std::string_view> users, bool begin);

  pg_connection& db_;
  const std::int64_t retention_count_;
  std::string sqlstate_;
  string_map<record_slot> records_;  // slot_key → slot
  string_map<counter> counters_;     // user id → counter
  std::vector<event_row> events_;
};

}  // namespace archibald
