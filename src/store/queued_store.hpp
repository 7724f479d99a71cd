// What every sync_store implementation shares: bounded write and read queues, a writer thread
// that takes up to max_batch queued jobs at a time (group commit) and a reader thread that
// runs read jobs one by one. An implementation says how a batch commits and how a read runs.
//
// Threads: write(), read(), ready() from any thread. The hooks run on the writer thread
// (commit_batch, every_minute) or the reader thread (run_read). A derived store calls start()
// at the end of its constructor and stop_queues() first thing in its stop().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sync_store.hpp"

namespace archibald {

class queued_store : public sync_store {
 public:
  void write(write_keys keys, write_job job, write_done done) final;
  void read(read_job job) final;
  bool ready() const final { return ready_.load(std::memory_order_relaxed); }

 protected:
  struct pending_write {
    write_keys keys;
    write_job job;
    write_done done;
  };

  queued_store(std::size_t max_batch, std::size_t max_queued)
      : max_batch_(max_batch), max_queued_(max_queued) {}

  void start();        // the writer and reader threads
  void stop_queues();  // finishes queued jobs, then joins the threads; idempotent

  // The batch (empty: a tick while not ready, once a second, to probe the storage); statuses
  // come back one per job, every one set.
  virtual void commit_batch(std::vector<pending_write>& batch,
                            std::vector<store_status>& statuses) = 0;
  virtual void run_read(read_job& job) = 0;
  virtual void every_minute() {}  // on the writer thread, between batches (retention)

  std::string error_;  // set by the constructor when the store cannot work: jobs are refused
  std::atomic<bool> ready_{false};

 private:
  void writer_loop();
  void reader_loop();

  const std::size_t max_batch_, max_queued_;
  std::mutex write_mutex_;
  std::condition_variable write_cv_;
  std::deque<pending_write> write_queue_;  // GUARDED_BY(write_mutex_)
  bool stopping_ = false;                  // GUARDED_BY(write_mutex_)
  std::mutex read_mutex_;
  std::condition_variable read_cv_;
  std::deque<read_job> read_queue_;  // GUARDED_BY(read_mutex_)
  bool read_stopping_ = false;       // GUARDED_BY(read_mutex_)
  std::thread writer_thread_, reader_thread_;
  std::once_flag stopped_;
};

}  // namespace archibald
