#include "postgres/pg_access.hpp"

#include <spdlog/spdlog.h>

namespace archibald {

bool pg_transaction::check(const pg_rows& rows) {
  if (rows.ok()) return true;
  if (sqlstate_.empty()) {
    sqlstate_ = rows.sqlstate();
    spdlog::warn("storage: {} (SQLSTATE {})", rows.error(), sqlstate_);
  }
  return false;
}

std::optional<stored_record> pg_transaction::find(std::string_view collection,
                                                  std::string_view id) {
  if (failed()) return std::nullopt;
  // FOR UPDATE: another node's write of this record waits for this transaction, and this one
  // for the other's, so last-writer-wins decides on the committed state.
  const auto rows = db_.exec(
      "SELECT user_id, created_at, updated_at, data FROM records"
      " WHERE collection = $1 AND id = $2 FOR UPDATE",
      pg_params().text(collection).text(id));
  if (!check(rows) || rows.count() == 0) return std::nullopt;
  return stored_record{std::string(id), std::string(rows.text(0, 0)), rows.int64(0, 1),
                       rows.int64(0, 2), std::string(rows.text(0, 3))};
}

void pg_transaction::put(std::string_view collection, const stored_record& r) {
  if (failed()) return;
  // The guard holds when find() saw the row; a row another node created meanwhile (find saw
  // none) is overwritten only by its owner with a newer or equal updatedAt, else the job fails
  // (503) and the client's retry meets the committed row.
  const auto rows = db_.exec(
      "INSERT INTO records (collection, id, user_id, created_at, updated_at, data)"
      " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (collection, id) DO UPDATE SET"
      " created_at = excluded.created_at, updated_at = excluded.updated_at, data = excluded.data"
      " WHERE records.user_id = excluded.user_id AND records.updated_at <= excluded.updated_at",
      pg_params()
          .text(collection)
          .text(r.id)
          .text(r.user_id)
          .int64(r.created_at)
          .int64(r.updated_at)
          .text(r.data));
  if (check(rows) && rows.affected() == 0) {
    fail("40001");  // decided on a state that changed: the batch runs again
    spdlog::warn("storage: record {} changed by another node meanwhile; write refused", r.id);
  }
}

void pg_transaction::erase(std::string_view collection, std::string_view id) {
  if (failed()) return;
  check(db_.exec("DELETE FROM records WHERE collection = $1 AND id = $2",
                 pg_params().text(collection).text(id)));
}

std::int64_t pg_transaction::next_seq(std::string_view user_id) {
  if (failed()) return 0;
  // The counter row's lock is held to the commit: the user's next writer, on any node, waits,
  // so seqs commit in order and without gaps (a SEQUENCE would leave gaps on rollback).
  const auto rows = db_.exec(
      "INSERT INTO user_seq (user_id, last_seq) VALUES ($1, 1) ON CONFLICT (user_id)"
      " DO UPDATE SET last_seq = user_seq.last_seq + 1 RETURNING last_seq",
      pg_params().text(user_id));
  if (!check(rows) || rows.count() != 1) return 0;
  return rows.int64(0, 0);
}

void pg_transaction::append_event(std::string_view user_id, const appended_event& e) {
  if (failed()) return;
  // The event and its hint in one round trip; PostgreSQL sends the hint at the commit, in
  // commit order, to every node listening (pg_event_channel): "user:seq", never the event.
  static const std::string append =
      std::string(
          "WITH e AS (INSERT INTO events (user_id, seq, ts_ms, frame)"
          " VALUES ($1, $2, $3, $4) RETURNING user_id, seq) SELECT pg_notify('") +
      pg_event_channel + "', e.user_id || ':' || e.seq) FROM e";
  if (!check(db_.exec(append.c_str(),
                      pg_params().text(user_id).int64(e.seq).int64(e.timestamp_ms).text(e.frame))))
    return;
  if (e.seq > retention_count_)
    check(db_.exec("DELETE FROM events WHERE user_id = $1 AND seq <= $2",
                   pg_params().text(user_id).int64(e.seq - retention_count_)));
}

bool pg_reader::check(const pg_rows& rows) {
  if (rows.ok()) return true;
  if (!failed_) spdlog::warn("storage: read failed: {}", rows.error());
  failed_ = true;
  lost_ |= is_connection_lost(rows.sqlstate());
  return false;
}

std::vector<std::string> pg_reader::list(std::string_view collection, std::string_view user_id,
                                         std::optional<std::int64_t> updated_after) {
  const auto rows = db_.exec(
      "SELECT data FROM records WHERE user_id = $1 AND collection = $2 AND updated_at > $3"
      " ORDER BY updated_at DESC",
      pg_params().text(user_id).text(collection).int64(updated_after.value_or(INT64_MIN)));
  std::vector<std::string> out;
  if (!check(rows)) return out;
  out.reserve(static_cast<std::size_t>(rows.count()));
  for (int i = 0; i < rows.count(); ++i) out.emplace_back(rows.text(i, 0));
  return out;
}

event_window pg_reader::window(std::string_view user_id, const char* events_sql, std::int64_t after,
                               std::size_t limit) {
  event_window w;
  // One snapshot, so that the bounds and the events agree.
  if (!check(db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))) return w;
  const auto bounds = db_.exec(
      "SELECT (SELECT last_seq FROM user_seq WHERE user_id = $1),"
      " (SELECT MIN(seq) FROM events WHERE user_id = $1)",
      pg_params().text(user_id));
  const auto events = db_.exec(
      events_sql, pg_params().text(user_id).int64(after).int64(static_cast<std::int64_t>(limit)));
  db_.exec("COMMIT");
  if (!check(bounds) || !check(events)) return {};
  if (!bounds.is_null(0, 0)) w.last_seq = bounds.int64(0, 0);
  if (!bounds.is_null(0, 1)) w.first_seq = bounds.int64(0, 1);
  w.events.reserve(static_cast<std::size_t>(events.count()));
  for (int i = 0; i < events.count(); ++i)
    w.events.push_back({events.int64(i, 0), events.int64(i, 1), std::string(events.text(i, 2))});
  return w;
}

event_window pg_reader::events_after_seq(std::string_view user_id, std::int64_t after_seq,
                                         std::size_t limit) {
  return window(user_id,
                "SELECT seq, ts_ms, frame FROM events WHERE user_id = $1 AND seq > $2"
                " ORDER BY seq LIMIT $3",
                after_seq, limit);
}

std::vector<std::int64_t> pg_reader::last_seqs(const std::vector<std::string>& user_ids) {
  std::vector<std::int64_t> out(user_ids.size(), 0);
  if (user_ids.empty()) return out;
  const std::string ids = pg_text_array(user_ids);
  const auto rows = db_.exec(
      "SELECT u.i, s.last_seq FROM unnest($1::text[]) WITH ORDINALITY AS u(id, i)"
      " JOIN user_seq s ON s.user_id = u.id",
      pg_params().text(ids));
  if (!check(rows)) return out;
  for (int r = 0; r < rows.count(); ++r) {
    const std::int64_t i = rows.int64(r, 0) - 1;
    if (i >= 0 && static_cast<std::size_t>(i) < out.size()) out[i] = rows.int64(r, 1);
  }
  return out;
}

event_window pg_reader::events_after_time(std::string_view user_id, std::int64_t after_ms,
                                          std::size_t limit) {
  return window(user_id,
                "SELECT seq, ts_ms, frame FROM events WHERE user_id = $1 AND ts_ms > $2"
                " ORDER BY seq LIMIT $3",
                after_ms, limit);
}

}  // namespace archibald
