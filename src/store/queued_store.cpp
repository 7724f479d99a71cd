#include "store/queued_store.hpp"

#include <spdlog/spdlog.h>

#include "store/null_reader.hpp"

namespace archibald {

void queued_store::write(write_keys keys, write_job job, write_done done) {
  {
    std::lock_guard lock(write_mutex_);
    if (!stopping_ && error_.empty() && write_queue_.size() < max_queued_) {
      write_queue_.push_back({std::move(keys), std::move(job), std::move(done)});
      write_cv_.notify_one();
      return;
    }
  }
  done(store_status::busy);
}

void queued_store::read(read_job job) {
  {
    std::lock_guard lock(read_mutex_);
    if (!read_stopping_ && error_.empty() && read_queue_.size() < max_queued_) {
      read_queue_.push_back(std::move(job));
      read_cv_.notify_one();
      return;
    }
  }
  null_reader none;
  job(none, store_status::busy);
}

void queued_store::start() {
  writer_thread_ = std::thread([this] { writer_loop(); });
  reader_thread_ = std::thread([this] { reader_loop(); });
}

void queued_store::writer_loop() {
  std::vector<pending_write> batch;
  std::vector<store_status> statuses;
  auto last_minute = std::chrono::steady_clock::now();
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
      while (!write_queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(write_queue_.front()));
        write_queue_.pop_front();
      }
    }
    commit_batch(batch, statuses);
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(statuses[i]);
    batch.clear();
    if (std::chrono::steady_clock::now() - last_minute > std::chrono::minutes(1)) {
      every_minute();
      last_minute = std::chrono::steady_clock::now();
    }
  }
}

void queued_store::reader_loop() {
  for (;;) {
    read_job job;
    {
      std::unique_lock lock(read_mutex_);
      read_cv_.wait(lock, [this] { return read_stopping_ || !read_queue_.empty(); });
      if (read_queue_.empty()) break;
      job = std::move(read_queue_.front());
      read_queue_.pop_front();
    }
    try {
      run_read(job);
    } catch (const std::exception& e) {
      spdlog::error("storage: read job threw: {}", e.what());
    }
  }
}

void queued_store::stop_queues() {
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
    if (reader_thread_.joinable()) reader_thread_.join();
  });
}

}  // namespace archibald
