#include "postgres/pg_batch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "postgres/pg_access.hpp"

namespace archibald {
namespace {

// FOR UPDATE after the sort: the rows are locked in key order.
constexpr const char* lock_records_sql =
    "SELECT r.collection, r.id, r.user_id, r.created_at, r.updated_at, r.data FROM records r"
    " JOIN unnest($1::text[], $2::text[]) AS k(collection, id)"
    " ON r.collection = k.collection AND r.id = k.id"
    " ORDER BY r.collection, r.id FOR UPDATE OF r";

// One pass in key order: a new user's row is created, an existing one locked by a no-op
// update; both come back with the user's last seq.
constexpr const char* lock_counters_sql =
    "INSERT INTO user_seq AS s (user_id, last_seq)"
    " SELECT u, 0 FROM unnest($1::text[]) AS u ORDER BY u"
    " ON CONFLICT (user_id) DO UPDATE SET last_seq = s.last_seq RETURNING user_id, last_seq";

constexpr const char* put_records_sql =
    "INSERT INTO records (collection, id, user_id, created_at, updated_at, data)"
    " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],"
    " $6::text[]) ON CONFLICT (collection, id) DO UPDATE SET created_at = excluded.created_at,"
    " updated_at = excluded.updated_at, data = excluded.data"
    " WHERE records.user_id = excluded.user_id AND records.updated_at <= excluded.updated_at";

constexpr const char* erase_records_sql =
    "DELETE FROM records r USING unnest($1::text[], $2::text[]) AS k(collection, id)"
    " WHERE r.collection = k.collection AND r.id = k.id";

constexpr const char* append_events_sql =
    "INSERT INTO events (user_id, seq, ts_ms, frame)"
    " SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[])";

// The counters, and one hint a user: "user:seq", the first seq the batch gave the user (a node
// reads from there on, so that a node new to the user misses none of the batch's events).
// PostgreSQL sends it at the commit.
const std::string set_counters_sql =
    std::string(
        "WITH s AS (UPDATE user_seq s SET last_seq = u.last_seq"
        " FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(user_id, last_seq, first_seq)"
        " WHERE s.user_id = u.user_id RETURNING s.user_id, u.first_seq)"
        " SELECT pg_notify('") +
    pg_event_channel + "', user_id || ':' || first_seq) FROM s";

constexpr const char* trim_events_sql =
    "DELETE FROM events e USING unnest($1::text[], $2::bigint[]) AS d(user_id, upto)"
    " WHERE e.user_id = d.user_id AND e.seq <= d.upto";

}  // namespace

bool pg_batch::check(const pg_rows& rows) {
  if (rows.ok()) return true;
  if (sqlstate_.empty()) {
    sqlstate_ = rows.sqlstate();
    spdlog::warn("storage: {} (SQLSTATE {})", rows.error(), sqlstate_);
  }
  return false;
}

std::string pg_batch::slot_key(std::string_view collection, std::string_view id) {
  std::string key;
  key.reserve(collection.size() + 1 + id.size());
  key.append(collection).append(1, '\0').append(id);  // a collection name has no NUL
  return key;
}

pg_batch::record_slot& pg_batch::slot(std::string_view collection, std::string_view id) {
  auto [it, added] = records_.try_emplace(slot_key(collection, id));
  if (added) {
    it->second.collection = collection;
    it->second.id = id;
  }
  return it->second;
}

void pg_batch::begin(const std::vector<const write_keys*>& keys) {
  std::vector<std::pair<std::string_view, std::string_view>> records;
  std::vector<std::string_view> users;
  for (const write_keys* k : keys) {
    for (const std::string& id : k->ids) records.emplace_back(k->collection, id);
    if (!k->user_id.empty()) users.push_back(k->user_id);
  }
  lock(records, users, /*begin=*/true);
}

void pg_batch::lock(std::vector<std::pair<std::string_view, std::string_view>> records,
                    std::vector<std::string_view> users, bool begin) {
  std::sort(records.begin(), records.end());
  records.erase(std::unique(records.begin(), records.end()), records.end());
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  std::vector<std::string_view> collections, ids;
  for (const auto& [c, id] : records) collections.push_back(c), ids.push_back(id);
  const std::string collection_array = pg_text_array(collections), id_array = pg_text_array(ids),
                    user_array = pg_text_array(users);
  std::vector<pg_statement> statements;
  if (begin) statements.push_back({"BEGIN", {}});
  if (!records.empty())
    statements.push_back({lock_records_sql, pg_params().array(collection_array).array(id_array)});
  if (!users.empty()) statements.push_back({lock_counters_sql, pg_params().array(user_array)});
  const std::vector<pg_rows> results = db_.exec_pipeline(statements);
  for (const pg_rows& r : results)
    if (!check(r)) return;
  std::size_t next = begin ? 1 : 0;
  if (!records.empty()) {
    for (const auto& [c, id] : records) slot(c, id);  // absent unless read below
    const pg_rows& rows = results[next++];
    for (int i = 0; i < rows.count(); ++i)
      slot(rows.text(i, 0), rows.text(i, 1)).record =
          stored_record{std::string(rows.text(i, 1)), std::string(rows.text(i, 2)),
                        rows.int64(i, 3), rows.int64(i, 4), std::string(rows.text(i, 5))};
  }
  if (!users.empty()) {
    const pg_rows& rows = results[next];
    for (int i = 0; i < rows.count(); ++i)
      counters_[std::string(rows.text(i, 0))].last_seq = rows.int64(i, 1);
  }
}

std::optional<stored_record> pg_batch::find(std::string_view collection, std::string_view id) {
  if (failed()) return std::nullopt;
  auto it = records_.find(slot_key(collection, id));
  if (it == records_.end()) {  // not declared: locked and read now
    lock({{collection, id}}, {}, /*begin=*/false);
    if (failed()) return std::nullopt;
    it = records_.find(slot_key(collection, id));
  }
  return it->second.record;
}

void pg_batch::put(std::string_view collection, const stored_record& record) {
  if (failed()) return;
  record_slot& s = slot(collection, record.id);
  s.record = record;
  s.changed = true;
}

void pg_batch::erase(std::string_view collection, std::string_view id) {
  if (failed()) return;
  record_slot& s = slot(collection, id);
  s.record.reset();
  s.changed = true;
}

std::int64_t pg_batch::next_seq(std::string_view user_id) {
  if (failed()) return 0;
  auto it = counters_.find(user_id);
  if (it == counters_.end()) {  // not declared: locked and read now
    lock({}, {user_id}, /*begin=*/false);
    it = counters_.find(user_id);
    if (failed() || it == counters_.end()) {
      fail("XX000");
      return 0;
    }
  }
  counter& c = it->second;
  ++c.last_seq;
  if (c.first_seq == 0) c.first_seq = c.last_seq;
  return c.last_seq;
}

void pg_batch::append_event(std::string_view user_id, const appended_event& e) {
  if (failed()) return;
  events_.push_back({std::string(user_id), e.seq, e.timestamp_ms, std::string(e.frame)});
}

void pg_batch::flush() {
  if (failed()) return;
  // Records in key order: two nodes creating the same new rows wait rather than deadlock.
  std::vector<const record_slot*> changed;
  for (const auto& [key, s] : records_)
    if (s.changed) changed.push_back(&s);
  std::sort(changed.begin(), changed.end(), [](const record_slot* a, const record_slot* b) {
    return std::tie(a->collection, a->id) < std::tie(b->collection, b->id);
  });
  std::vector<std::string_view> put_collections, put_ids, put_users, put_data, erase_collections,
      erase_ids;
  std::vector<std::int64_t> created, updated;
  for (const record_slot* s : changed) {
    if (!s->record) {
      erase_collections.push_back(s->collection);
      erase_ids.push_back(s->id);
      continue;
    }
    put_collections.push_back(s->collection);
    put_ids.push_back(s->id);
    put_users.push_back(s->record->user_id);
    created.push_back(s->record->created_at);
    updated.push_back(s->record->updated_at);
    put_data.push_back(s->record->data);
  }
  std::vector<std::string_view> users, trimmed_users;
  std::vector<std::int64_t> seqs, first_seqs, trim_upto;
  for (const auto& [user, c] : counters_) {
    if (c.first_seq == 0) continue;  // no seq taken
    users.push_back(user);
    seqs.push_back(c.last_seq);
    first_seqs.push_back(c.first_seq);
    if (c.last_seq > retention_count_) {
      trimmed_users.push_back(user);
      trim_upto.push_back(c.last_seq - retention_count_);
    }
  }
  std::vector<std::string_view> event_users, frames;
  std::vector<std::int64_t> event_seqs, timestamps;
  for (const event_row& e : events_) {
    event_users.push_back(e.user_id);
    event_seqs.push_back(e.seq);
    timestamps.push_back(e.timestamp_ms);
    frames.push_back(e.frame);
  }

  // The array parameters, alive until the pipeline returns.
  const std::array<std::string, 17> a = {pg_text_array(put_collections),
                                         pg_text_array(put_ids),
                                         pg_text_array(put_users),
                                         pg_int64_array(created),
                                         pg_int64_array(updated),
                                         pg_text_array(put_data),
                                         pg_text_array(erase_collections),
                                         pg_text_array(erase_ids),
                                         pg_text_array(event_users),
                                         pg_int64_array(event_seqs),
                                         pg_int64_array(timestamps),
                                         pg_text_array(frames),
                                         pg_text_array(users),
                                         pg_int64_array(seqs),
                                         pg_text_array(trimmed_users),
                                         pg_int64_array(trim_upto),
                                         pg_int64_array(first_seqs)};
  std::vector<pg_statement> statements;
  const bool puts = !put_ids.empty();
  if (puts)
    statements.push_back(
        {put_records_sql,
         pg_params().array(a[0]).array(a[1]).array(a[2]).array(a[3]).array(a[4]).array(a[5])});
  if (!erase_ids.empty())
    statements.push_back({erase_records_sql, pg_params().array(a[6]).array(a[7])});
  if (!events_.empty())
    statements.push_back(
        {append_events_sql, pg_params().array(a[8]).array(a[9]).array(a[10]).array(a[11])});
  if (!users.empty())
    statements.push_back(
        {set_counters_sql.c_str(), pg_params().array(a[12]).array(a[13]).array(a[16])});
  if (!trimmed_users.empty())
    statements.push_back({trim_events_sql, pg_params().array(a[14]).array(a[15])});
  if (statements.empty()) return;
  const std::vector<pg_rows> results = db_.exec_pipeline(statements);
  for (const pg_rows& r : results)
    if (!check(r)) return;
  if (puts && results[0].affected() != static_cast<std::int64_t>(put_ids.size())) {
    fail("40001");  // a row created by another node meanwhile and not this owner's to replace
    spdlog::warn("storage: a record changed by another node meanwhile; the batch runs again");
  }
}

}  // namespace archibald
