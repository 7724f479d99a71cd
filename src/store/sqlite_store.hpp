// The embedded SQLite implementation of sync_store: WAL mode, one writer thread that groups
// concurrent write jobs into one transaction (group commit), one reader thread, bounded job
// queues, event retention by count and age, readiness that follows storage faults and recovers,
// and WAL checkpoints on a thread of their own so that commits never wait for them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/queued_store.hpp"

struct sqlite3;

namespace archibald {

struct sqlite_store_options {
  std::string path = "./data/archibald-realtime.db";
  bool full_sync = true;                  // SYNC_MODE=full: fsync every commit; normal: WAL-safe
  std::size_t max_batch = 256;            // write jobs per transaction; 1 = no group commit
  std::size_t max_queued = 10'000;        // write or read jobs waiting; more: busy
  std::int64_t retention_count = 10'000;  // events kept per user
  std::chrono::hours retention_age{72};
  // Past this many WAL frames (~32 MiB of 4 KiB pages) the writer completes a checkpoint
  // between two commits so that the next one reuses the WAL from its start: under continuous
  // writes the background passive checkpoints never catch up with the end of the log, and the
  // WAL would grow without bound. 0: never (for measurements only).
  int wal_restart_frames = 8192;
  // SYNC_MODE=full only: hand the VFS each commit's WAL frames as one write (see
  // wal_write_coalescing.hpp). Off only to measure what it gains.
  bool coalesce_wal_writes = true;
  // Tests only: inject the storage faults this file names (storage_fault_vfs.hpp); empty: none.
  std::string fault_control_file{};
};

class sqlite_store final : public queued_store {
 public:
  // Opens (creating folders and file), migrates and starts the threads. On failure error()
  // says why and the store is unusable.
  explicit sqlite_store(sqlite_store_options options);
  ~sqlite_store() override;

  const std::string& error() const { return error_; }

  void stop() override;

 private:
  // Opens (or, after a storage fault, opens again) the writer connection; why not, or empty.
  // On failure there is no writer until a later call succeeds.
  std::string open_writer();
  void commit_batch(std::vector<pending_write>& batch,
                    std::vector<store_status>& statuses) override;
  void run_read(read_job& job) override;
  void every_minute() override { sweep_expired_events(); }
  void mark_fault(const char* step, int code);
  void probe();
  void sweep_expired_events();
  void checkpoint_loop();
  static int after_commit(void* self, ::sqlite3* db, const char* name, int wal_frames);

  const sqlite_store_options options_;
  std::unique_ptr<class sqlite_writer> writer_;  // writer thread only, once started
  const char* writer_vfs_ = nullptr;
  std::unique_ptr<class sqlite_reader> reader_;

  // Checkpoints run here, not in the writer's commits (wal_autocheckpoint is off).
  std::unique_ptr<class sqlite_connection> checkpointer_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_stopping_ = false;  // GUARDED_BY(checkpoint_mutex_)
  std::thread checkpoint_thread_;
  std::once_flag checkpoint_stopped_;
};

}  // namespace archibald
