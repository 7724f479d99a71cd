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

namespace {

// The windows of the users asked ($1 users, $2 their bounds, $3 the limit), in one statement:
// one snapshot, so that the bounds and the events agree. `events` selects a user's events
// after c.after (a seq or a time).
std::string windows_sql(const char* after) {
  return std::string(
             "SELECT c.i, s.last_seq, f.first_seq, e.seq, e.ts_ms, e.frame"
             " FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS c(user_id, after, i)"
             " LEFT JOIN user_seq s ON s.user_id = c.user_id"
             " LEFT JOIN LATERAL (SELECT MIN(seq) AS first_seq FROM events"
             " WHERE user_id = c.user_id) f ON true"
             " LEFT JOIN LATERAL (SELECT seq, ts_ms, frame FROM events"
             " WHERE user_id = c.user_id AND ") +
         after + " > c.after ORDER BY seq LIMIT $3) e ON true ORDER BY c.i, e.seq";
}

const std::string after_seq_sql = windows_sql("seq");
const std::string after_time_sql = windows_sql("ts_ms");

}  // namespace

std::vector<event_window> pg_reader::windows(const std::string& sql,
                                             const std::vector<std::string_view>& user_ids,
                                             const std::vector<std::int64_t>& after,
                                             std::size_t limit) {
  std::vector<event_window> out(user_ids.size());
  if (user_ids.empty()) return out;
  const std::string id_array = pg_text_array(user_ids), after_array = pg_int64_array(after);
  const auto rows = db_.exec(
      sql.c_str(),
      pg_params().array(id_array).array(after_array).int64(static_cast<std::int64_t>(limit)));
  if (!check(rows)) return std::vector<event_window>(user_ids.size());
  for (int r = 0; r < rows.count(); ++r) {
    const std::int64_t i = rows.int64(r, 0) - 1;
    if (i < 0 || static_cast<std::size_t>(i) >= out.size()) continue;
    event_window& w = out[static_cast<std::size_t>(i)];
    if (!rows.is_null(r, 1)) w.last_seq = rows.int64(r, 1);
    if (!rows.is_null(r, 2)) w.first_seq = rows.int64(r, 2);
    if (!rows.is_null(r, 3))
      w.events.push_back({rows.int64(r, 3), rows.int64(r, 4), std::string(rows.text(r, 5))});
  }
  return out;
}

std::vector<event_window> pg_reader::events_after_seqs(const std::vector<user_position>& users,
                                                       std::size_t limit) {
  std::vector<std::string_view> ids;
  std::vector<std::int64_t> after;
  ids.reserve(users.size());
  after.reserve(users.size());
  for (const user_position& u : users) {
    ids.push_back(u.user_id);
    after.push_back(u.after_seq);
  }
  return windows(after_seq_sql, ids, after, limit);
}

event_window pg_reader::events_after_seq(std::string_view user_id, std::int64_t after_seq,
                                         std::size_t limit) {
  return std::move(events_after_seqs({{std::string(user_id), after_seq}}, limit).front());
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
  return std::move(windows(after_time_sql, {user_id}, {after_ms}, limit).front());
}

}  // namespace archibald
