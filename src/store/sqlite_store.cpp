#include "store/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "store/sqlite_access.hpp"
#include "store/sqlite_schema.hpp"
#include "store/storage_fault_vfs.hpp"
#include "store/wal_write_coalescing.hpp"

namespace archibald {

sqlite_store::sqlite_store(sqlite_store_options options)
    : queued_store(options.max_batch, options.max_queued), options_(std::move(options)) {
  std::error_code fs_error;
  const auto folder = std::filesystem::path(options_.path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder, fs_error);
  if (fs_error) {
    error_ = "cannot create " + folder.string() + ": " + fs_error.message();
    return;
  }
  // Coalescing WAL writes is safe only when every commit syncs (see wal_write_coalescing.hpp).
  if (options_.full_sync && options_.coalesce_wal_writes)
    writer_vfs_ = register_wal_coalescing_vfs();
  if (!options_.fault_control_file.empty())
    writer_vfs_ = register_storage_fault_vfs(writer_vfs_, options_.fault_control_file);
  if (error_ = open_writer(); !error_.empty()) return;
  reader_ = std::make_unique<sqlite_reader>(options_.path);
  if (!reader_->db.ok()) {
    error_ = "cannot open " + options_.path + " for reading: " + reader_->db.open_error();
    return;
  }
  reader_->prepare();
  checkpointer_ = std::make_unique<sqlite_connection>(options_.path, false);
  checkpointer_->exec("PRAGMA busy_timeout = 1000");
  ready_ = true;
  start();
  checkpoint_thread_ = std::thread([this] { checkpoint_loop(); });
}

std::string sqlite_store::open_writer() {
  writer_.reset();  // first: its locks and cached pages must not outlive it into the new one
  auto w = std::make_unique<sqlite_writer>(options_.path, options_.retention_count, writer_vfs_);
  if (!w->db.ok()) return "cannot open " + options_.path + ": " + w->db.open_error();
  w->db.exec("PRAGMA busy_timeout = 5000");
  if (w->db.exec("PRAGMA journal_mode = WAL") != SQLITE_OK)
    return "cannot use WAL on " + options_.path + ": " + w->db.error();
  w->db.exec(options_.full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  w->db.exec("PRAGMA wal_autocheckpoint = 0");
  sqlite3_wal_hook(w->db.handle(), &sqlite_store::after_commit, this);
  if (std::string why = migrate_schema(w->db); !why.empty()) return options_.path + ": " + why;
  w->prepare();
  writer_ = std::move(w);
  return {};
}

sqlite_store::~sqlite_store() {
  stop();
}

void sqlite_store::commit_batch(std::vector<pending_write>& batch,
                                std::vector<store_status>& statuses) {
  if (!ready_) probe();
  statuses.assign(batch.size(), store_status::unavailable);
  if (batch.empty() || !writer_) return;  // no writer: it could not be opened again yet
  sqlite_writer& w = *writer_;
  bool faulted = false;
  w.clear_failure();
  // One step of a prepared statement: SQLITE_DONE, or the connection's extended error code.
  const auto step_once = [&w](sqlite_statement& statement) {
    int rc = statement.step();
    if (rc != SQLITE_DONE) rc = w.db.last_error_code();
    statement.reset();
    return rc;
  };
  if (const int rc = step_once(w.s.begin); rc != SQLITE_DONE) {
    mark_fault("begin", rc);
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    w.clear_failure();
    if (!w.run(w.s.savepoint)) break;
    try {
      batch[i].job(w);
    } catch (const std::exception& e) {
      spdlog::error("storage: write job threw: {}", e.what());
      w.fail_job();
    }
    if (!w.failed()) {
      statuses[i] = store_status::ok;
      w.run(w.s.release);
      continue;
    }
    const int code = w.failure_code();
    if (sqlite3_get_autocommit(w.db.handle())) {
      // SQLite rolled the whole transaction back (disk full, I/O error): nothing of this
      // batch is stored, and nothing of it was acknowledged yet.
      statuses.assign(batch.size(), store_status::unavailable);
      mark_fault("write", code);
      return;
    }
    w.clear_failure();
    w.run(w.s.rollback_to);
    w.run(w.s.release);
    if (is_storage_fault(code)) {
      mark_fault("write", code);
      faulted = true;
    }
  }
  if (const int code = step_once(w.s.commit); code != SQLITE_DONE) {
    w.db.exec("ROLLBACK");
    statuses.assign(batch.size(), store_status::unavailable);
    mark_fault("commit", code);
    return;
  }
  // A batch whose every job hit a storage fault commits nothing, and proves nothing.
  if (!faulted && !ready_.exchange(true)) spdlog::info("storage: writable again");
}

void sqlite_store::mark_fault(const char* step, int code) {
  if (ready_.exchange(false))
    spdlog::error("storage: {} failed: {} (code {}); not ready until it recovers", step,
                  sqlite3_errstr(code), code);
}

void sqlite_store::probe() {
  // After a fault, trust nothing the connection holds (the fsyncgate lesson: a failed fsync
  // may have dropped pages the next sync would not rewrite): open it again, then try a write.
  if (std::string why = open_writer(); !why.empty()) {
    spdlog::debug("storage: reopening failed: {}", why);
    return;
  }
  sqlite_writer& w = *writer_;
  auto stmt = w.db.prepare("INSERT OR REPLACE INTO probe (id, at) VALUES (1, ?)");
  const bool ok = w.db.exec("BEGIN IMMEDIATE") == SQLITE_OK &&
                  stmt.bind(1, now_ms()).step() == SQLITE_DONE && w.db.exec("COMMIT") == SQLITE_OK;
  if (!ok) {
    w.db.exec("ROLLBACK");
    return;
  }
  if (!ready_.exchange(true)) spdlog::info("storage: writable again");
}

void sqlite_store::sweep_expired_events() {
  if (!writer_) return;
  const auto age_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention_age).count();
  // Rowids grow with time: delete the oldest rows up to the first one young enough.
  auto stmt = writer_->db.prepare(
      "DELETE FROM events WHERE id < COALESCE("
      " (SELECT id FROM events WHERE ts_ms >= ? ORDER BY id LIMIT 1),"
      " (SELECT MAX(id) + 1 FROM events))");
  if (stmt.bind(1, now_ms() - age_ms).step() != SQLITE_DONE)
    spdlog::warn("storage: retention sweep failed: {}", writer_->db.error());
}

void sqlite_store::run_read(read_job& job) {
  reader_->clear_failure();
  job(*reader_, store_status::ok);
}

int sqlite_store::after_commit(void* self, sqlite3* db, const char*, int wal_frames) {
  // The checkpointer thread's passive checkpoints copy pages without blocking anyone, but
  // under continuous commits they never reach the end of the log, and SQLite reuses the WAL
  // only when a commit begins with every frame copied: the WAL would grow without bound.
  // Past the limit the writer itself, between two commits, copies what the last passive pass
  // left (≤ 250 ms of commits); the next commit then starts the log again. If the checkpointer
  // is copying right now, this returns at once (busy) and the next commit tries again.
  const int limit = static_cast<sqlite_store*>(self)->options_.wal_restart_frames;
  if (limit > 0 && wal_frames > limit)
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return SQLITE_OK;
}

void sqlite_store::checkpoint_loop() {
  std::unique_lock lock(checkpoint_mutex_);
  while (!checkpoint_cv_.wait_for(lock, std::chrono::milliseconds(250),
                                  [this] { return checkpoint_stopping_; })) {
    lock.unlock();
    // PASSIVE: copies what it can without blocking the writer or the reader.
    checkpointer_->exec("PRAGMA wal_checkpoint(PASSIVE)");
    lock.lock();
  }
}

void sqlite_store::stop() {
  stop_queues();
  std::call_once(checkpoint_stopped_, [this] {
    {
      std::lock_guard lock(checkpoint_mutex_);
      checkpoint_stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
    if (writer_ && writer_->db.ok() && error_.empty())
      writer_->db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  });
}

}  // namespace archibald
