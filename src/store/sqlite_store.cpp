#include "store/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "store/sqlite_connection.hpp"
#include "store/sqlite_schema.hpp"

namespace archibald {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Statements run by every write job, prepared once.
struct write_statements {
  sqlite_statement find, put, erase, next_seq, append, trim, savepoint, release, rollback_to;
};

// Handed to a read job that could not be queued: answers nothing and reports failure.
struct null_reader final : store_reader {
  std::vector<std::string> list(std::string_view, std::string_view,
                                std::optional<std::int64_t>) override {
    return {};
  }
  event_window events_after_seq(std::string_view, std::int64_t, std::size_t) override { return {}; }
  event_window events_after_time(std::string_view, std::int64_t, std::size_t) override {
    return {};
  }
  bool failed() const override { return true; }
};

// Errors that say the storage itself is unusable (as opposed to one bad statement).
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

}  // namespace

// The writer connection and the store_transaction it offers to write jobs.
struct sqlite_store::writer final : store_transaction {
  sqlite_connection db;
  write_statements s;
  std::int64_t retention_count;
  bool failed_ = false;
  int failed_code = SQLITE_OK;

  writer(const std::string& path, std::int64_t retention)
      : db(path, true), retention_count(retention) {}

  void prepare() {
    s.find = db.prepare(
        "SELECT user_id, created_at, updated_at, data FROM records WHERE collection = ? AND id = "
        "?");
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
  }

  bool check(int rc, int expected) {
    if (rc == expected) return true;
    if (!failed_) {
      failed_ = true;
      failed_code = db.last_error_code();
      spdlog::warn("storage: {} (code {})", db.error(), failed_code);
    }
    return false;
  }

  bool run(sqlite_statement& stmt) {
    const bool ok = check(stmt.step(), SQLITE_DONE);
    stmt.reset();
    return ok;
  }

  std::optional<stored_record> find(std::string_view collection, std::string_view id) override {
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

  void put(std::string_view collection, const stored_record& r) override {
    if (failed_) return;
    s.put.bind(1, collection).bind(2, r.id).bind(3, r.user_id);
    s.put.bind(4, r.created_at).bind(5, r.updated_at).bind(6, r.data);
    run(s.put);
  }

  void erase(std::string_view collection, std::string_view id) override {
    if (failed_) return;
    s.erase.bind(1, collection).bind(2, id);
    run(s.erase);
  }

  std::int64_t next_seq(std::string_view user_id) override {
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

  void append_event(std::string_view user_id, const stored_event& e) override {
    if (failed_) return;
    s.append.bind(1, user_id).bind(2, e.seq).bind(3, e.timestamp_ms).bind(4, e.frame);
    if (!run(s.append)) return;
    if (e.seq > retention_count) {
      s.trim.bind(1, user_id).bind(2, e.seq - retention_count);
      run(s.trim);
    }
  }

  bool failed() const override { return failed_; }
};

// The reader connection and the store_reader it offers to read jobs.
struct sqlite_store::reader final : store_reader {
  sqlite_connection db;
  sqlite_statement list_all, list_after, seq_bounds, first_seq, after_seq, after_time;
  bool failed_ = false;

  explicit reader(const std::string& path) : db(path, false) {}

  void prepare() {
    db.exec("PRAGMA query_only = ON");
    db.exec("PRAGMA busy_timeout = 5000");
    list_all = db.prepare(
        "SELECT data FROM records WHERE user_id = ? AND collection = ? ORDER BY updated_at DESC");
    list_after = db.prepare(
        "SELECT data FROM records WHERE user_id = ? AND collection = ? AND updated_at > ?"
        " ORDER BY updated_at DESC");
    seq_bounds = db.prepare("SELECT last_seq FROM user_seq WHERE user_id = ?");
    first_seq = db.prepare("SELECT MIN(seq) FROM events WHERE user_id = ?");
    after_seq = db.prepare(
        "SELECT seq, ts_ms, frame FROM events WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?");
    after_time = db.prepare(
        "SELECT seq, ts_ms, frame FROM events WHERE user_id = ? AND ts_ms > ? ORDER BY seq"
        " LIMIT ?");
  }

  std::vector<std::string> list(std::string_view collection, std::string_view user_id,
                                std::optional<std::int64_t> updated_after) override {
    sqlite_statement& q = updated_after ? list_after : list_all;
    q.bind(1, user_id).bind(2, collection);
    if (updated_after) q.bind(3, *updated_after);
    std::vector<std::string> out;
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) out.emplace_back(q.text(0));
    failed_ |= rc != SQLITE_DONE;
    q.reset();
    return out;
  }

  event_window window(std::string_view user_id, sqlite_statement& q, std::int64_t after,
                      std::size_t limit) {
    // One read transaction so that the bounds and the events agree.
    db.exec("BEGIN");
    event_window w;
    seq_bounds.bind(1, user_id);
    if (seq_bounds.step() == SQLITE_ROW) w.last_seq = seq_bounds.int64(0);
    seq_bounds.reset();
    first_seq.bind(1, user_id);
    if (first_seq.step() == SQLITE_ROW && !first_seq.is_null(0)) w.first_seq = first_seq.int64(0);
    first_seq.reset();
    q.bind(1, user_id).bind(2, after).bind(3, static_cast<std::int64_t>(limit));
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
      w.events.push_back({q.int64(0), q.int64(1), std::string(q.text(2))});
    failed_ |= rc != SQLITE_DONE;
    q.reset();
    db.exec("COMMIT");
    return w;
  }

  event_window events_after_seq(std::string_view user_id, std::int64_t after_seq,
                                std::size_t limit) override {
    return window(user_id, this->after_seq, after_seq, limit);
  }

  event_window events_after_time(std::string_view user_id, std::int64_t after_ms,
                                 std::size_t limit) override {
    return window(user_id, after_time, after_ms, limit);
  }

  bool failed() const override { return failed_; }
};

sqlite_store::sqlite_store(sqlite_store_options options) : options_(std::move(options)) {
  std::error_code fs_error;
  const auto folder = std::filesystem::path(options_.path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder, fs_error);
  if (fs_error) {
    error_ = "cannot create " + folder.string() + ": " + fs_error.message();
    return;
  }
  writer_ = std::make_unique<writer>(options_.path, options_.retention_count);
  if (!writer_->db.ok()) {
    error_ = "cannot open " + options_.path + ": " + writer_->db.open_error();
    return;
  }
  writer_->db.exec("PRAGMA busy_timeout = 5000");
  if (writer_->db.exec("PRAGMA journal_mode = WAL") != SQLITE_OK) {
    error_ = "cannot use WAL on " + options_.path + ": " + writer_->db.error();
    return;
  }
  writer_->db.exec(options_.full_sync ? "PRAGMA synchronous = FULL"
                                      : "PRAGMA synchronous = NORMAL");
  writer_->db.exec("PRAGMA wal_autocheckpoint = 0");
  if (std::string why = migrate_schema(writer_->db); !why.empty()) {
    error_ = options_.path + ": " + why;
    return;
  }
  writer_->prepare();
  reader_ = std::make_unique<reader>(options_.path);
  if (!reader_->db.ok()) {
    error_ = "cannot open " + options_.path + " for reading: " + reader_->db.open_error();
    return;
  }
  reader_->prepare();
  checkpointer_ = std::make_unique<sqlite_connection>(options_.path, false);
  checkpointer_->exec("PRAGMA busy_timeout = 1000");
  ready_ = true;
  writer_thread_ = std::thread([this] { writer_loop(); });
  reader_thread_ = std::thread([this] { reader_loop(); });
  checkpoint_thread_ = std::thread([this] { checkpoint_loop(); });
}

sqlite_store::~sqlite_store() {
  stop();
}

void sqlite_store::write(write_job job, write_done done) {
  {
    std::lock_guard lock(write_mutex_);
    if (!stopping_ && error_.empty() && write_queue_.size() < options_.max_queued) {
      write_queue_.push_back({std::move(job), std::move(done)});
      write_cv_.notify_one();
      return;
    }
  }
  done(store_status::busy);
}

void sqlite_store::read(read_job job) {
  {
    std::lock_guard lock(read_mutex_);
    if (!read_stopping_ && error_.empty() && read_queue_.size() < options_.max_queued) {
      read_queue_.push_back(std::move(job));
      read_cv_.notify_one();
      return;
    }
  }
  null_reader none;
  job(none, store_status::busy);
}

void sqlite_store::writer_loop() {
  std::vector<pending_write> batch;
  std::vector<store_status> statuses;
  auto last_sweep = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(write_mutex_);
      const auto has_work = [this] { return stopping_ || !write_queue_.empty(); };
      if (ready_) {
        write_cv_.wait(lock, has_work);
      } else {
        write_cv_.wait_for(lock, std::chrono::seconds(1), has_work);
      }
      if (write_queue_.empty() && stopping_) break;
      while (!write_queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(write_queue_.front()));
        write_queue_.pop_front();
      }
    }
    if (!ready_) probe();
    commit_batch(batch, statuses);
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(statuses[i]);
    batch.clear();
    if (std::chrono::steady_clock::now() - last_sweep > std::chrono::minutes(1)) {
      sweep_expired_events();
      last_sweep = std::chrono::steady_clock::now();
    }
  }
}

void sqlite_store::commit_batch(std::vector<pending_write>& batch,
                                std::vector<store_status>& statuses) {
  statuses.assign(batch.size(), store_status::unavailable);
  if (batch.empty()) return;
  writer& w = *writer_;
  w.failed_ = false;
  if (w.db.exec("BEGIN IMMEDIATE") != SQLITE_OK) {
    mark_fault("begin", w.db.last_error_code());
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    w.failed_ = false;
    if (!w.run(w.s.savepoint)) break;
    try {
      batch[i].job(w);
    } catch (const std::exception& e) {
      spdlog::error("storage: write job threw: {}", e.what());
      w.failed_ = true;
    }
    if (!w.failed_) {
      statuses[i] = store_status::ok;
      w.run(w.s.release);
      continue;
    }
    const int code = w.failed_code;
    if (sqlite3_get_autocommit(w.db.handle())) {
      // SQLite rolled the whole transaction back (disk full, I/O error): nothing of this
      // batch is stored, and nothing of it was acknowledged yet.
      statuses.assign(batch.size(), store_status::unavailable);
      mark_fault("write", code);
      return;
    }
    w.failed_ = false;
    w.run(w.s.rollback_to);
    w.run(w.s.release);
    if (is_storage_fault(code)) mark_fault("write", code);
  }
  if (w.db.exec("COMMIT") != SQLITE_OK) {
    const int code = w.db.last_error_code();
    w.db.exec("ROLLBACK");
    statuses.assign(batch.size(), store_status::unavailable);
    mark_fault("commit", code);
    return;
  }
  if (!ready_.exchange(true)) spdlog::info("storage: writable again");
}

void sqlite_store::mark_fault(const char* step, int code) {
  if (ready_.exchange(false))
    spdlog::error("storage: {} failed: {} (code {}); not ready until it recovers", step,
                  sqlite3_errstr(code), code);
}

void sqlite_store::probe() {
  writer& w = *writer_;
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

void sqlite_store::reader_loop() {
  for (;;) {
    read_job job;
    {
      std::unique_lock lock(read_mutex_);
      read_cv_.wait(lock, [this] { return read_stopping_ || !read_queue_.empty(); });
      if (read_queue_.empty()) break;
      job = std::move(read_queue_.front());
      read_queue_.pop_front();
    }
    reader_->failed_ = false;
    try {
      job(*reader_, store_status::ok);
    } catch (const std::exception& e) {
      spdlog::error("storage: read job threw: {}", e.what());
    }
  }
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
  std::call_once(stopped_, [this] {
    {
      std::lock_guard lock(write_mutex_);
      stopping_ = true;
    }
    write_cv_.notify_all();
    {
      std::lock_guard lock(read_mutex_);
      read_stopping_ = true;
    }
    read_cv_.notify_all();
    if (writer_thread_.joinable()) writer_thread_.join();
    {
      std::lock_guard lock(checkpoint_mutex_);
      checkpoint_stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    if (reader_thread_.joinable()) reader_thread_.join();
    if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
    if (writer_ && writer_->db.ok() && error_.empty())
      writer_->db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  });
}

}  // namespace archibald
