#include "store/sqlite_access.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace archibald {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_storage_fault(int code) {
  switch (code & 0xFF) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_NOMEM:
      return true;
    default:
      return false;
  }
}

sqlite_writer::sqlite_writer(const std::string& path, std::int64_t retention_count, const char* vfs)
    : db(path, true, vfs), retention_count_(retention_count) {}

void sqlite_writer::prepare() {
  s.find = db.prepare(
      "SELECT user_id, created_at, updated_at, data FROM records WHERE collection = ? AND id = ?");
  s.put = db.prepare(
      "INSERT INTO records (collection, id, user_id, created_at, updated_at, data)"
      " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET"
      " user_id = excluded.user_id, created_at = excluded.created_at,"
      " updated_at = excluded.updated_at, data = excluded.data");
  s.erase = db.prepare("DELETE FROM records WHERE collection = ? AND id = ?");
  s.next_seq = db.prepare(
      "INSERT INTO user_seq (user_id, last_seq) VALUES (?, 1) ON CONFLICT (user_id)"
      " DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq");
  s.append = db.prepare("INSERT INTO events (user_id, seq, ts_ms, frame) VALUES (?, ?, ?, ?)");
  s.trim = db.prepare("DELETE FROM events WHERE user_id = ? AND seq <= ?");
  s.savepoint = db.prepare("SAVEPOINT job");
  s.release = db.prepare("RELEASE job");
  s.rollback_to = db.prepare("ROLLBACK TO job");
  s.begin = db.prepare("BEGIN IMMEDIATE");
  s.commit = db.prepare("COMMIT");
}

bool sqlite_writer::check(int rc, int expected) {
  if (rc == expected) return true;
  if (!failed_) {
    failed_ = true;
    failed_code_ = db.last_error_code();
    spdlog::warn("storage: {} (code {})", db.error(), failed_code_);
  }
  return false;
}

bool sqlite_writer::run(sqlite_statement& stmt) {
  const bool ok = check(stmt.step(), SQLITE_DONE);
  stmt.reset();
  return ok;
}

std::optional<stored_record> sqlite_writer::find(std::string_view collection, std::string_view id) {
  if (failed_) return std::nullopt;
  s.find.bind(1, collection).bind(2, id);
  std::optional<stored_record> out;
  const int rc = s.find.step();
  if (rc == SQLITE_ROW) {
    out = stored_record{std::string(id), std::string(s.find.text(0)), s.find.int64(1),
                        s.find.int64(2), std::string(s.find.text(3))};
  } else {
    check(rc, SQLITE_DONE);
  }
  s.find.reset();
  return out;
}

void sqlite_writer::put(std::string_view collection, const stored_record& r) {
  if (failed_) return;
  s.put.bind(1, collection).bind(2, r.id).bind(3, r.user_id);
  s.put.bind(4, r.created_at).bind(5, r.updated_at).bind(6, r.data);
  run(s.put);
}

void sqlite_writer::erase(std::string_view collection, std::string_view id) {
  if (failed_) return;
  s.erase.bind(1, collection).bind(2, id);
  run(s.erase);
}

std::int64_t sqlite_writer::next_seq(std::string_view user_id) {
  if (failed_) return 0;
  s.next_seq.bind(1, user_id);
  std::int64_t seq = 0;
  if (check(s.next_seq.step(), SQLITE_ROW)) {
    seq = s.next_seq.int64(0);
    check(s.next_seq.step(), SQLITE_DONE);
  }
  s.next_seq.reset();
  return seq;
}

void sqlite_writer::append_event(std::string_view user_id, const appended_event& e) {
  if (failed_) return;
  s.append.bind(1, user_id).bind(2, e.seq).bind(3, e.timestamp_ms).bind(4, e.frame);
  if (!run(s.append)) return;
  if (e.seq > retention_count_) {
    s.trim.bind(1, user_id).bind(2, e.seq - retention_count_);
    run(s.trim);
  }
}

sqlite_reader::sqlite_reader(const std::string& path) : db(path, false) {}

void sqlite_reader::prepare() {
  db.exec("PRAGMA query_only = ON");
  db.exec("PRAGMA busy_timeout = 5000");
  list_all_ = db.prepare(
      "SELECT data FROM records WHERE user_id = ? AND collection = ? ORDER BY updated_at DESC");
  list_after_ = db.prepare(
      "SELECT data FROM records WHERE user_id = ? AND collection = ? AND updated_at > ?"
      " ORDER BY updated_at DESC");
  last_seq_ = db.prepare("SELECT last_seq FROM user_seq WHERE user_id = ?");
  first_seq_ = db.prepare("SELECT MIN(seq) FROM events WHERE user_id = ?");
  after_seq_ = db.prepare(
      "SELECT seq, ts_ms, frame FROM events WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?");
  after_time_ = db.prepare(
      "SELECT seq, ts_ms, frame FROM events WHERE user_id = ? AND ts_ms > ? ORDER BY seq"
      " LIMIT ?");
}

std::vector<std::string> sqlite_reader::list(std::string_view collection, std::string_view user_id,
                                             std::optional<std::int64_t> updated_after) {
  sqlite_statement& q = updated_after ? list_after_ : list_all_;
  q.bind(1, user_id).bind(2, collection);
  if (updated_after) q.bind(3, *updated_after);
  std::vector<std::string> out;
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.emplace_back(q.text(0));
  failed_ |= rc != SQLITE_DONE;
  q.reset();
  return out;
}

event_window sqlite_reader::window(std::string_view user_id, sqlite_statement& q,
                                   std::int64_t after, std::size_t limit) {
  // One read transaction so that the bounds and the events agree.
  db.exec("BEGIN");
  event_window w;
  last_seq_.bind(1, user_id);
  if (last_seq_.step() == SQLITE_ROW) w.last_seq = last_seq_.int64(0);
  last_seq_.reset();
  first_seq_.bind(1, user_id);
  if (first_seq_.step() == SQLITE_ROW && !first_seq_.is_null(0)) w.first_seq = first_seq_.int64(0);
  first_seq_.reset();
  q.bind(1, user_id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
  int rc;
  while ((rc = q.step()) == SQLITE_ROW)
    w.events.push_back({q.int64(0), q.int64(1), std::string(q.text(2))});
  failed_ |= rc != SQLITE_DONE;
  q.reset();
  db.exec("COMMIT");
  return w;
}

event_window sqlite_reader::events_after_seq(std::string_view user_id, std::int64_t after_seq,
                                             std::size_t limit) {
  return window(user_id, after_seq_, after_seq, limit);
}

event_window sqlite_reader::events_after_time(std::string_view user_id, std::int64_t after_ms,
                                              std::size_t limit) {
  return window(user_id, after_time_, after_ms, limit);
}

std::vector<std::int64_t> sqlite_reader::last_seqs(const std::vector<std::string>& user_ids) {
  std::vector<std::int64_t> out(user_ids.size(), 0);
  for (std::size_t i = 0; i < user_ids.size(); ++i) {
    last_seq_.bind(1, user_ids[i]);
    const int rc = last_seq_.step();
    if (rc == SQLITE_ROW) out[i] = last_seq_.int64(0);
    failed_ |= rc != SQLITE_ROW && rc != SQLITE_DONE;
    last_seq_.reset();
  }
  return out;
}

}  // namespace archibald
