#include "store/sqlite_schema.hpp"

#include <array>

namespace archibald {
namespace {

// Append only: a released migration is never edited; the next change is the next entry.
constexpr std::array migrations = {
    // 1: records of both collections, the per-user seq counter, the per-user event log.
    R"sql(
    CREATE TABLE records (
      collection TEXT NOT NULL,
      id         TEXT NOT NULL,
      user_id    TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      data       TEXT NOT NULL,
      PRIMARY KEY (collection, id)
    ) WITHOUT ROWID;
    CREATE INDEX records_by_user ON records (user_id, collection, updated_at);
    CREATE TABLE user_seq (
      user_id  TEXT PRIMARY KEY,
      last_seq INTEGER NOT NULL
    ) WITHOUT ROWID;
    -- Append-only by rowid, so a commit's events share the last pages; the per-user index
    -- holds small entries. Time order follows rowid order (retention by age scans from the
    -- start).
    CREATE TABLE events (
      id      INTEGER PRIMARY KEY,
      user_id TEXT NOT NULL,
      seq     INTEGER NOT NULL,
      ts_ms   INTEGER NOT NULL,
      frame   TEXT NOT NULL
    );
    CREATE UNIQUE INDEX events_by_user ON events (user_id, seq);
    CREATE TABLE probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
    )sql",
};

}  // namespace

int schema_version(sqlite_connection& db) {
  auto stmt = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt || stmt.step() != SQLITE_ROW) return 0;
  return static_cast<int>(stmt.int64(0));
}

std::string migrate_schema(sqlite_connection& db) {
  if (db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
              " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)") != SQLITE_OK)
    return "cannot create schema_migrations: " + db.error();
  const int current = schema_version(db);
  if (current > static_cast<int>(migrations.size()))
    return "database schema version " + std::to_string(current) +
           " is newer than this server knows (" + std::to_string(migrations.size()) + ")";
  for (int v = current + 1; v <= static_cast<int>(migrations.size()); ++v) {
    if (db.exec("BEGIN IMMEDIATE") != SQLITE_OK) return "cannot begin migration: " + db.error();
    if (db.exec(migrations[static_cast<std::size_t>(v - 1)]) != SQLITE_OK) {
      const std::string why = db.error();
      db.exec("ROLLBACK");
      return "migration " + std::to_string(v) + " failed: " + why;
    }
    auto mark = db.prepare(
        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, unixepoch('now') * 1000)");
    mark.bind(1, std::int64_t{v});
    if (mark.step() != SQLITE_DONE || db.exec("COMMIT") != SQLITE_OK) {
      const std::string why = db.error();
      db.exec("ROLLBACK");
      return "migration " + std::to_string(v) + " failed: " + why;
    }
  }
  return {};
}

}  // namespace archibald
