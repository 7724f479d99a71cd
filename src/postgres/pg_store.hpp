// The PostgreSQL implementation of sync_store (DESIGN §6), for several nodes on one database:
// one writer thread and connection that groups concurrent write jobs into one transaction
// (group commit; a job that fails on its own is left out and the others run again), one reader
// thread and connection, bounded job queues, event retention by count and age, statement timeouts,
// and readiness that follows the database: when it is unreachable every write is refused (nothing
// acknowledged that was not committed) and the connections are opened again once a second until it
// answers.
//
// Across nodes: a record is read FOR UPDATE before it is decided on, and the user's seq comes
// from its counter row under the row lock, so one user's commits are ordered and their seqs
// gap-free whichever node writes. A deadlock between nodes rolls the batch back and runs it
// again (at most three times). A commit whose outcome is unknown (the connection lost after
// COMMIT was sent) is reported unavailable: the client's retry is harmless (LWW on updatedAt).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "store/queued_store.hpp"

namespace archibald {

class pg_connection;

struct pg_store_options {
  std::string url;                        // DATABASE_URL: postgresql://user@host:port/db
  std::size_t max_batch = 256;            // write jobs per transaction; 1 = no group commit
  std::size_t max_queued = 10'000;        // write or read jobs waiting; more: busy
  std::int64_t retention_count = 10'000;  // events kept per user
  std::chrono::hours retention_age{72};
  std::chrono::milliseconds statement_timeout{5000};
};

class pg_store final : public queued_store {
 public:
  // Connects, migrates (under an advisory lock) and starts the threads. On failure error()
  // says why and the store is unusable.
  explicit pg_store(pg_store_options options);
  ~pg_store() override;

  const std::string& error() const { return error_; }
  // The database session of the writer (0 while it has none): a hint it sent is this node's own
  // commit, whose events the node delivers as it commits them.
  int writer_pid() const { return writer_pid_.load(std::memory_order_relaxed); }

  void stop() override { stop_queues(); }

 private:
  std::unique_ptr<pg_connection> connect(std::string& why) const;
  void commit_batch(std::vector<pending_write>& batch,
                    std::vector<store_status>& statuses) override;
  // One run of the batch's jobs not excluded, in one transaction.
  enum class batch_outcome {
    done,           // committed, or failed for good (statuses say which)
    retry,          // a deadlock or a changed state: run it again
    without_a_job,  // one job failed on its own: now excluded, run the others again
  };
  batch_outcome try_batch(std::vector<pending_write>& batch, std::vector<store_status>& statuses,
                          std::vector<char>& excluded);
  void lost(const char* step, const std::string& why);
  void every_minute() override;  // retention by age
  void run_read(read_job& job) override;

  const pg_store_options options_;
  std::unique_ptr<pg_connection> writer_;  // writer thread only, once started; null: lost
  std::atomic<int> writer_pid_{0};
  std::unique_ptr<pg_connection> reader_;  // reader thread only, once started; null: lost
};

}  // namespace archibald
