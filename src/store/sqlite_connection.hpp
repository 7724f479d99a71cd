// Thin RAII over the SQLite C API: one connection, its prepared statements, result codes as
// values. A connection belongs to one thread at a time (the store's writer or reader thread).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace archibald {

class sqlite_statement {
 public:
  sqlite_statement() = default;
  explicit sqlite_statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  // Binds are 1-based, as in SQLite. Text is not copied (SQLITE_STATIC): it must stay valid
  // until reset(), which clears the bindings.
  sqlite_statement& bind(int index, std::string_view text);
  sqlite_statement& bind(int index, std::int64_t value);
  sqlite_statement& bind_null(int index);

  int step();  // SQLITE_ROW, SQLITE_DONE or an error code
  void reset();

  std::string_view text(int column) const;
  std::int64_t int64(int column) const;
  bool is_null(int column) const;
  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  struct finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, finalizer> stmt_;
};

class sqlite_connection {
 public:
  // Opens (creating when asked) the database; on failure error() says why.
  // vfs: a registered VFS name, or nullptr for SQLite's default.
  sqlite_connection(const std::string& path, bool create, const char* vfs = nullptr);
  bool ok() const { return db_ != nullptr && open_error_.empty(); }
  const std::string& open_error() const { return open_error_; }

  int exec(const char* sql);  // statements without results
  sqlite_statement prepare(std::string_view sql);
  std::string error() const;
  int last_error_code() const;
  sqlite3* handle() const { return db_.get(); }

 private:
  struct closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, closer> db_;
  std::string open_error_;
};

}  // namespace archibald
