#include "postgres/pg_access.hpp"

#include <spdlog/spdlog.h>

namespace archibald {

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
      pg_params().array(ids));
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
