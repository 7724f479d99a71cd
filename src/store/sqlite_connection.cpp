#include "store/sqlite_connection.hpp"

namespace archibald {

sqlite_statement& sqlite_statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

sqlite_statement& sqlite_statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

sqlite_statement& sqlite_statement::bind_null(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

int sqlite_statement::step() {
  return sqlite3_step(stmt_.get());
}

void sqlite_statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string_view sqlite_statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
  return p ? std::string_view(p,
                              static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column)))
           : std::string_view();
}

std::int64_t sqlite_statement::int64(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

bool sqlite_statement::is_null(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

sqlite_connection::sqlite_connection(const std::string& path, bool create, const char* vfs) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs);
  db_.reset(db);
  if (rc != SQLITE_OK) {
    open_error_ = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return;
  }
  sqlite3_extended_result_codes(db, 1);
}

int sqlite_connection::exec(const char* sql) {
  return sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
}

sqlite_statement sqlite_connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                     &stmt, nullptr);
  return sqlite_statement(stmt);
}

std::string sqlite_connection::error() const {
  return db_ ? sqlite3_errmsg(db_.get()) : open_error_;
}

int sqlite_connection::last_error_code() const {
  return db_ ? sqlite3_extended_errcode(db_.get()) : SQLITE_CANTOPEN;
}

}  // namespace archibald
