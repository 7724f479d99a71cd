// Thin RAII over libpq: one connection, its results, parameters without copies. A connection
// belongs to one thread at a time (a store's writer or reader thread). Statements are sent
// with the extended protocol; text parameters go as binary (their bytes, no terminating NUL
// needed), integers as text.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

#include "protocol/string_map.hpp"

namespace archibald {

class pg_rows {
 public:
  pg_rows() = default;
  explicit pg_rows(::pg_result* result);

  bool ok() const;  // the statement ran (with or without rows)
  int count() const;
  std::string_view text(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  bool is_null(int row, int column) const;
  std::int64_t affected() const;  // rows an INSERT / UPDATE / DELETE touched
  std::string sqlstate() const;   // "" when ok
  std::string error() const;

 private:
  struct clearer {
    void operator()(::pg_result* r) const;
  };
  std::unique_ptr<::pg_result, clearer> result_;
};

// Up to max parameters of one statement; the text ones are views: they must outlive the call.
class pg_params {
 public:
  static constexpr int max = 8;
  pg_params& text(std::string_view value);
  pg_params& int64(std::int64_t value);
  // An array literal ("{…}", as pg_text_array or pg_int64_array make it), sent as text.
  pg_params& array(const std::string& literal);

 private:
  friend class pg_connection;
  int count_ = 0;
  std::array<const char*, max> values_{};
  std::array<int, max> lengths_{};
  std::array<int, max> formats_{};
  std::array<std::array<char, 24>, max> numbers_{};
};

// One statement of a pipeline: its text and parameters (views: they must outlive the call).
struct pg_statement {
  const char* sql;
  pg_params params;
};

// A NOTIFY as received: its channel, payload and the backend (session) that sent it.
struct pg_notification {
  std::string channel, payload;
  int sender_pid = 0;
};

class pg_connection {
 public:
  // Connects (a postgresql:// URL or key=value string); on failure error() says why.
  // TCP keepalives are on (10 s idle, 5 s apart, 3 probes) unless the URL sets them.
  explicit pg_connection(const std::string& url);
  // A connection option in effect ("keepalives_idle"); empty when unset.
  std::string option(std::string_view keyword) const;
  bool ok() const;  // connected, and the last statement did not lose the connection
  bool alive();     // ok(), and the server has not closed the idle connection meanwhile
  std::string error() const;

  pg_rows exec(const char* sql);  // one or more statements, no parameters
  // A notification of a channel this connection LISTENs to: waits up to `timeout` for one
  // (the connection's socket polled); nullopt when none came or the connection was lost.
  std::optional<pg_notification> notification(std::chrono::milliseconds timeout);
  // This session's server process (a NOTIFY's sender_pid when it sent one); 0 when none.
  int backend_pid() const;
  // Prepared on its first use on this connection (by its text), then executed by name.
  pg_rows exec(const char* sql, const pg_params& params);
  // The statements sent at once and their results read in order, one each (libpq's pipeline
  // mode): one round trip for them all. After a failed one the rest are skipped (their results
  // say so: SQLSTATE 25P02). Prepared as exec() does.
  std::vector<pg_rows> exec_pipeline(const std::vector<pg_statement>& statements);

 private:
  struct finisher {
    void operator()(::pg_conn* c) const;
  };
  // The statement's prepared name, and whether it is still to be prepared (sent first).
  std::pair<std::string, bool> statement_name(const char* sql);

  std::unique_ptr<::pg_conn, finisher> conn_;
  string_map<std::string> prepared_;  // sql → statement name
  int statements_named_ = 0;
  std::chrono::steady_clock::time_point last_used_ = std::chrono::steady_clock::now();
};

// SQLSTATE classes the store reacts to.
bool is_retryable(std::string_view sqlstate);        // deadlock, serialization failure
bool is_connection_lost(std::string_view sqlstate);  // class 08, admin shutdown, crash

// A text[] literal ('{"a","b\\"c"}') of the values, for one parameter such as $1::text[].
std::string pg_text_array(const std::vector<std::string>& values);
std::string pg_text_array(const std::vector<std::string_view>& values);
// A bigint[] literal ("{1,-2}"), for a parameter such as $1::bigint[].
std::string pg_int64_array(const std::vector<std::int64_t>& values);

}  // namespace archibald
