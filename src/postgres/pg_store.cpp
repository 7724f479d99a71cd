#include "postgres/pg_store.hpp"

#include <spdlog/spdlog.h>

#include "postgres/pg_access.hpp"
#include "postgres/pg_connection.hpp"
#include "postgres/pg_schema.hpp"
#include "store/null_reader.hpp"

namespace archibald {
namespace {

constexpr int max_attempts = 3;  // a batch rolled back by a deadlock runs again

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

pg_store::pg_store(pg_store_options options)
    : queued_store(options.max_batch, options.max_queued), options_(std::move(options)) {
  std::string why;
  writer_ = connect(why);
  if (!writer_) {
    error_ = why;
    return;
  }
  if (why = pg_migrate(*writer_); !why.empty()) {
    error_ = why;
    return;
  }
  reader_ = connect(why);
  if (!reader_) {
    error_ = why;
    return;
  }
  ready_ = true;
  start();
}

pg_store::~pg_store() {
  stop();
}

std::unique_ptr<pg_connection> pg_store::connect(std::string& why) const {
  auto db = std::make_unique<pg_connection>(options_.url);
  if (!db->ok()) {
    why = "cannot connect to PostgreSQL: " + db->error();
    return nullptr;
  }
  // Every statement bounded; an acknowledgement means committed (and flushed) on the server.
  const std::string settings =
      "SET statement_timeout = " + std::to_string(options_.statement_timeout.count()) +
      "; SET synchronous_commit = on; SET application_name = 'archibald-realtime'";
  if (auto r = db->exec(settings.c_str()); !r.ok()) {
    why = "cannot configure the PostgreSQL session: " + r.error();
    return nullptr;
  }
  return db;
}

void pg_store::commit_batch(std::vector<pending_write>& batch,
                            std::vector<store_status>& statuses) {
  if (writer_ && !writer_->alive()) lost("idle", "connection closed by the server");
  if (!writer_) {  // lost: try again (at least once a second, with or without work)
    std::string why;
    writer_ = connect(why);
    if (writer_ && !ready_.exchange(true)) spdlog::info("storage: PostgreSQL reachable again");
  }
  for (int attempt = 1; attempt <= max_attempts; ++attempt)
    if (try_batch(batch, statuses)) break;
}

bool pg_store::try_batch(std::vector<pending_write>& batch, std::vector<store_status>& statuses) {
  statuses.assign(batch.size(), store_status::unavailable);
  if (batch.empty() || !writer_) return true;
  pg_connection& db = *writer_;
  pg_transaction t(db, options_.retention_count);
  const auto give_up = [&](const char* step) {
    statuses.assign(batch.size(), store_status::unavailable);
    if (is_connection_lost(t.sqlstate()) || !db.ok()) {
      lost(step, t.sqlstate());
      return true;
    }
    db.exec("ROLLBACK");
    return !is_retryable(t.sqlstate());  // a deadlock: run the batch again
  };
  if (!t.check(db.exec("BEGIN"))) return give_up("begin");
  for (std::size_t i = 0; i < batch.size(); ++i) {
    t.clear_failure();
    if (!t.check(db.exec("SAVEPOINT job"))) return give_up("savepoint");
    try {
      batch[i].job(t);
    } catch (const std::exception& e) {
      spdlog::error("storage: write job threw: {}", e.what());
      t.fail("XX000");  // internal error: this job is rolled back
    }
    if (!t.failed()) {
      statuses[i] = store_status::ok;
      if (!t.check(db.exec("RELEASE job"))) return give_up("release");
      continue;
    }
    const std::string failure = t.sqlstate();
    if (is_connection_lost(failure) || is_retryable(failure)) return give_up("write");
    // This job alone failed (a statement timeout, a refused write): the others go on.
    t.clear_failure();
    if (!t.check(db.exec("ROLLBACK TO job")) || !t.check(db.exec("RELEASE job")))
      return give_up("rollback");
  }
  t.clear_failure();
  if (!t.check(db.exec("COMMIT"))) {
    // Lost while committing: the outcome is unknown, and nothing was acknowledged. The client's
    // retry is harmless: LWW on updatedAt makes a repeated write "skipped".
    return give_up("commit");
  }
  return true;
}

void pg_store::lost(const char* step, const std::string& why) {
  writer_.reset();
  if (ready_.exchange(false))
    spdlog::error("storage: PostgreSQL lost at {} ({}); not ready until it answers again", step,
                  why);
}

void pg_store::every_minute() {
  if (!writer_) return;
  const std::int64_t cutoff =
      wall_ms() -
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention_age).count();
  const auto rows = writer_->exec("DELETE FROM events WHERE ts_ms < $1", pg_params().int64(cutoff));
  if (!rows.ok()) {
    spdlog::warn("storage: retention sweep failed: {}", rows.error());
    if (is_connection_lost(rows.sqlstate())) lost("sweep", rows.sqlstate());
  }
}

void pg_store::run_read(read_job& job) {
  if (reader_ && !reader_->alive()) reader_.reset();
  if (!reader_) {
    std::string why;
    reader_ = connect(why);
  }
  if (!reader_) {
    null_reader none;
    job(none, store_status::unavailable);
    return;
  }
  pg_reader r(*reader_);
  job(r, store_status::ok);
  if (r.lost() || !reader_->ok()) reader_.reset();
}

}  // namespace archibald
