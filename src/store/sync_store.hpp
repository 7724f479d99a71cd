// Durable storage for synced records and the per-user event log (DESIGN §2.3, §3), behind an
// interface narrow enough for a PostgreSQL implementation to follow. SQLite is the embedded
// default (sqlite_store).
//
// Threads: write() and read() may be called from any thread and never block on disk; the
// jobs run on the store's own threads. A write job runs inside a transaction shared with other
// concurrent jobs (group commit); its `done` runs on the writer thread after the commit, in
// commit order. A job may run more than once before it commits (PostgreSQL runs a batch again
// after a deadlock, or without a job that failed): it must set, not accumulate, what it reports.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace archibald {

struct stored_record {
  std::string id;
  std::string user_id;
  std::int64_t created_at = 0;  // epoch ms
  std::int64_t updated_at = 0;  // epoch ms; last-writer-wins compares this
  std::string data;             // the record as served to clients (JSON object)
};

struct stored_event {
  std::int64_t seq = 0;  // per user, strictly increasing, no gaps
  std::int64_t timestamp_ms = 0;
  std::string frame;  // the serialised WebSocket envelope, seq included
};

// An event as a write job appends it: the frame is not copied until SQLite stores it.
struct appended_event {
  std::int64_t seq = 0;
  std::int64_t timestamp_ms = 0;
  std::string_view frame;
};

// What a write job will touch, as far as its caller knows: a store may lock and read all of a
// batch's keys at once (PostgreSQL: two statements a batch instead of a round trip for every
// find and seq). A job may touch more (read when touched) or less (locked for nothing).
struct write_keys {
  std::string user_id;           // whose next seq the job may take ("": none)
  std::string_view collection;   // a static name (collection_spec::name)
  std::vector<std::string> ids;  // records of `collection` the job may find
};

enum class store_status {
  ok,
  busy,         // too many jobs queued: try again later (HTTP 503, WebSocket ERROR)
  unavailable,  // disk full, read-only, locked, I/O error: nothing was written (HTTP 503)
};

// Used only on the writer thread, inside one write job. Errors are sticky: after the first
// failed statement every call is a no-op and the store rolls the job back.
class store_transaction {
 public:
  virtual ~store_transaction() = default;
  virtual std::optional<stored_record> find(std::string_view collection, std::string_view id) = 0;
  virtual void put(std::string_view collection, const stored_record& record) = 0;
  virtual void erase(std::string_view collection, std::string_view id) = 0;
  // The user's next seq; consumed only if the job commits.
  virtual std::int64_t next_seq(std::string_view user_id) = 0;
  virtual void append_event(std::string_view user_id, const appended_event& event) = 0;
  virtual bool failed() const = 0;
};

struct event_window {
  std::int64_t first_seq = 0;  // oldest retained event; 0 when the user has none
  std::int64_t last_seq = 0;   // newest seq ever given to the user; 0 when none
  std::vector<stored_event> events;
};

// A user and the last seq a reader has of it.
struct user_position {
  std::string user_id;
  std::int64_t after_seq = 0;
};

// Used only on the reader thread, inside one read job.
class store_reader {
 public:
  virtual ~store_reader() = default;
  // The user's records, newest updatedAt first; only those updated after `updated_after`.
  virtual std::vector<std::string> list(std::string_view collection, std::string_view user_id,
                                        std::optional<std::int64_t> updated_after) = 0;
  // Events with seq > after_seq, in order, at most `limit`.
  virtual event_window events_after_seq(std::string_view user_id, std::int64_t after_seq,
                                        std::size_t limit) = 0;
  // Events with a timestamp > after_ms, in seq order, at most `limit`.
  virtual event_window events_after_time(std::string_view user_id, std::int64_t after_ms,
                                         std::size_t limit) = 0;
  // The newest seq given to each user (0: none), in the order asked: one query for many users
  // (the cluster's position check).
  virtual std::vector<std::int64_t> last_seqs(const std::vector<std::string>& user_ids) = 0;
  // Several users' events, each after its own seq and at most `limit` each, in the order asked
  // (the cluster feed's catch-up): one query where the store can, one read a user by default.
  virtual std::vector<event_window> events_after_seqs(const std::vector<user_position>& users,
                                                      std::size_t limit) {
    std::vector<event_window> out;
    out.reserve(users.size());
    for (const user_position& u : users)
      out.push_back(events_after_seq(u.user_id, u.after_seq, limit));
    return out;
  }
  virtual bool failed() const = 0;
};

class sync_store {
 public:
  using write_job = std::function<void(store_transaction&)>;
  using write_done = std::function<void(store_status)>;
  using read_job = std::function<void(store_reader&, store_status)>;

  virtual ~sync_store() = default;
  // Queues the job; `done` always runs exactly once (busy: at once, on the caller's thread).
  virtual void write(write_keys keys, write_job job, write_done done) = 0;
  virtual void read(read_job job) = 0;
  virtual bool ready() const = 0;
  // Finishes queued jobs, checkpoints, stops the threads. Idempotent.
  virtual void stop() = 0;
};

}  // namespace archibald
