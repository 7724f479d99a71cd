#include "postgres/pg_store.hpp"

#include <spdlog/spdlog.h>

#include "postgres/pg_access.hpp"
#include "postgres/pg_batch.hpp"
#include "postgres/pg_connection.hpp"
#include "postgres/pg_schema.hpp"
#include "store/null_reader.hpp"

namespace archibald {
namespace {

constexpr int max_attempts = 3;  // runs of a batch rolled back by deadlocks

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
  writer_pid_ = writer_->backend_pid();
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
  // Generic plans: the statements take their keys as arrays, and planning each execution anew
  // (PostgreSQL's default for them) cost more than running it (0.25 ms of a batch's lock step).
  const std::string settings =
      "SET statement_timeout = " + std::to_string(options_.statement_timeout.count()) +
      "; SET synchronous_commit = on; SET application_name = 'archibald-realtime'"
      "; SET plan_cache_mode = force_generic_plan";
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
    if (writer_) writer_pid_ = writer_->backend_pid();
    if (writer_ && !ready_.exchange(true)) spdlog::info("storage: PostgreSQL reachable again");
  }
  std::vector<char> excluded(batch.size(), 0);
  for (int deadlocks = 0;;) {
    const batch_outcome outcome = try_batch(batch, statuses, excluded);
    if (outcome == batch_outcome::done) break;
    if (outcome == batch_outcome::retry && ++deadlocks == max_attempts) break;  // all 503
  }
}

pg_store::batch_outcome pg_store::try_batch(std::vector<pending_write>& batch,
                                            std::vector<store_status>& statuses,
                                            std::vector<char>& excluded) {
  statuses.assign(batch.size(), store_status::unavailable);
  if (!writer_) return batch_outcome::done;
  pg_connection& db = *writer_;
  pg_batch t(db, options_.retention_count);
  // Nothing of this batch is kept: after a lost connection the outcome may be unknown, and
  // nothing was acknowledged yet (the client's retry is harmless: LWW on updatedAt).
  const auto fail = [&](const char* step) {
    statuses.assign(batch.size(), store_status::unavailable);
    if (is_connection_lost(t.sqlstate()) || !db.ok()) {
      lost(step, t.sqlstate());
      return batch_outcome::done;
    }
    db.exec("ROLLBACK");
    return is_retryable(t.sqlstate()) ? batch_outcome::retry : batch_outcome::done;
  };
  std::vector<const write_keys*> keys;
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (!excluded[i]) keys.push_back(&batch[i].keys);
  t.begin(keys);
  if (t.failed()) return fail("begin");
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (excluded[i]) continue;
    try {
      batch[i].job(t);
    } catch (const std::exception& e) {
      spdlog::error("storage: write job threw: {}", e.what());
      t.fail("XX000");  // internal error: this job is left out
    }
    if (!t.failed()) {
      statuses[i] = store_status::ok;
      continue;
    }
    const std::string failure = t.sqlstate();
    if (is_connection_lost(failure) || is_retryable(failure)) return fail("write");
    // This job alone failed (a statement timeout, a refused write). No savepoint per job (two
    // round trips each): the transaction goes, and the batch runs again without this job.
    db.exec("ROLLBACK");
    excluded[i] = 1;
    return batch_outcome::without_a_job;
  }
  t.flush();
  if (t.failed()) return fail("flush");
  if (!t.check(db.exec("COMMIT"))) return fail("commit");
  return batch_outcome::done;
}

void pg_store::lost(const char* step, const std::string& why) {
  writer_.reset();
  writer_pid_ = 0;
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
