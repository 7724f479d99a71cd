// A SQLite store in a fresh temporary folder, removed afterwards, for unit tests that need
// durable sync without a server.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "store/sqlite_store.hpp"

namespace archibald::testing {

class temp_store {
 public:
  temp_store() : dir_(unique_dir()), store_(options(dir_)) {}
  ~temp_store() {
    store_.stop();
    std::filesystem::remove_all(dir_);
  }
  sqlite_store& store() { return store_; }
  std::string path() const { return (dir_ / "test.db").string(); }

 private:
  static std::filesystem::path unique_dir() {
    static std::atomic<int> counter{0};
    auto dir = std::filesystem::temp_directory_path() /
               ("archibald-unit-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir);
    return dir;
  }
  static sqlite_store_options options(const std::filesystem::path& dir) {
    sqlite_store_options o;
    o.path = (dir / "test.db").string();
    o.full_sync = false;
    return o;
  }
  std::filesystem::path dir_;
  sqlite_store store_;
};

}  // namespace archibald::testing
