#include "postgres/pg_schema.hpp"

#include <array>

namespace archibald {
namespace {

// Append only: a released migration is never edited; the next change is the next entry.
constexpr std::array migrations = {
    // 1: records of both collections, the per-user seq counter (its row lock orders a user's
    // commits, so seq order is commit order), the per-user event log.
    R"sql(
    CREATE TABLE records (
      collection text   NOT NULL,
      id         text   NOT NULL,
      user_id    text   NOT NULL,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      data       text   NOT NULL,
      PRIMARY KEY (collection, id)
    );
    CREATE INDEX records_by_user ON records (user_id, collection, updated_at);
    CREATE TABLE user_seq (
      user_id  text PRIMARY KEY,
      last_seq bigint NOT NULL
    );
    CREATE TABLE events (
      user_id text   NOT NULL,
      seq     bigint NOT NULL,
      ts_ms   bigint NOT NULL,
      frame   text   NOT NULL,
      PRIMARY KEY (user_id, seq)
    );
    CREATE INDEX events_by_time ON events (ts_ms);
    )sql",
    // 2: the nodes' heartbeats (the cluster view): the database's clock, so that the nodes'
    // clocks need not agree.
    R"sql(
    CREATE TABLE nodes (
      node_id text   PRIMARY KEY,
      seen_ms bigint NOT NULL,
      stats   text   NOT NULL
    );
    )sql",
};

// Any 64-bit key, the same on every node: "archibald-realtime schema".
constexpr const char* lock_key = "7301463021437550177";

}  // namespace

int pg_schema_latest() {
  return static_cast<int>(migrations.size());
}

std::string pg_migrate(pg_connection& db) {
  const std::string lock = std::string("SELECT pg_advisory_lock(") + lock_key + ")";
  const std::string unlock = std::string("SELECT pg_advisory_unlock(") + lock_key + ")";
  if (auto r = db.exec(lock.c_str()); !r.ok())
    return "cannot take the migration lock: " + r.error();
  const auto fail = [&](const std::string& why) {
    db.exec("ROLLBACK");
    db.exec(unlock.c_str());
    return why;
  };
  if (auto r =
          db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                  " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
      !r.ok())
    return fail("cannot create schema_migrations: " + r.error());
  auto current_rows = db.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!current_rows.ok()) return fail("cannot read the schema version: " + current_rows.error());
  const int current = static_cast<int>(current_rows.int64(0, 0));
  if (current > pg_schema_latest())
    return fail("database schema version " + std::to_string(current) +
                " is newer than this server knows (" + std::to_string(pg_schema_latest()) +
                "): run a newer archibald-realtime");
  for (int v = current + 1; v <= pg_schema_latest(); ++v) {
    if (auto r = db.exec("BEGIN"); !r.ok()) return fail("cannot begin migration: " + r.error());
    if (auto r = db.exec(migrations[static_cast<std::size_t>(v - 1)]); !r.ok())
      return fail("migration " + std::to_string(v) + " failed: " + r.error());
    if (auto r =
            db.exec("INSERT INTO schema_migrations (version) VALUES ($1)", pg_params().int64(v));
        !r.ok())
      return fail("migration " + std::to_string(v) + " failed: " + r.error());
    if (auto r = db.exec("COMMIT"); !r.ok())
      return fail("migration " + std::to_string(v) + " failed: " + r.error());
  }
  db.exec(unlock.c_str());
  return {};
}

}  // namespace archibald
