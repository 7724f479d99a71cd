#include "postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <spdlog/spdlog.h>

#include <poll.h>

#include <charconv>
#include <cstdlib>

namespace archibald {

pg_rows::pg_rows(::pg_result* result) : result_(result) {}

void pg_rows::clearer::operator()(::pg_result* r) const {
  PQclear(r);
}

bool pg_rows::ok() const {
  if (!result_) return false;
  const auto status = PQresultStatus(result_.get());
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

int pg_rows::count() const {
  return result_ ? PQntuples(result_.get()) : 0;
}

std::string_view pg_rows::text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::int64_t pg_rows::int64(int row, int column) const {
  const std::string_view t = text(row, column);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

bool pg_rows::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::int64_t pg_rows::affected() const {
  if (!result_) return 0;
  return std::atoll(PQcmdTuples(result_.get()));
}

std::string pg_rows::sqlstate() const {
  if (ok()) return {};
  const char* state = result_ ? PQresultErrorField(result_.get(), PG_DIAG_SQLSTATE) : nullptr;
  return state ? state : "08006";  // no result, or no state: the connection failed
}

std::string pg_rows::error() const {
  if (!result_) return "no result (connection lost)";
  std::string e = PQresultErrorMessage(result_.get());
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  return e;
}

pg_params& pg_params::text(std::string_view value) {
  values_[count_] = value.data();
  lengths_[count_] = static_cast<int>(value.size());
  formats_[count_] = 1;  // binary: a text value's bytes, as they are
  ++count_;
  return *this;
}

pg_params& pg_params::int64(std::int64_t value) {
  auto& buffer = numbers_[count_];
  const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size() - 1, value).ptr;
  *end = '\0';
  values_[count_] = buffer.data();
  lengths_[count_] = 0;
  formats_[count_] = 0;  // text
  ++count_;
  return *this;
}

void pg_connection::finisher::operator()(::pg_conn* c) const {
  PQfinish(c);
}

namespace {

// TCP keepalives on every session unless the URL says otherwise: a session whose peer vanished
// without a FIN or RST (a host or network gone) is found dead in about 25 s instead of the
// kernel's two hours — above all the LISTEN session, which only ever waits to read.
PGconn* connect_with_defaults(const std::string& url) {
  const char* const keywords[] = {"keepalives",       "keepalives_idle", "keepalives_interval",
                                  "keepalives_count", "dbname",          nullptr};
  const char* const values[] = {"1", "10", "5", "3", url.c_str(), nullptr};
  return PQconnectdbParams(keywords, values, /*expand_dbname=*/1);  // the URL's own win
}

}  // namespace

pg_connection::pg_connection(const std::string& url) : conn_(connect_with_defaults(url)) {
  // Notices ("already exists, skipping") go to the debug log, not to stderr.
  PQsetNoticeProcessor(
      conn_.get(),
      [](void*, const char* message) {
        std::string_view m(message);
        while (!m.empty() && m.back() == '\n') m.remove_suffix(1);
        spdlog::debug("PostgreSQL: {}", m);
      },
      nullptr);
}

std::string pg_connection::option(std::string_view keyword) const {
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(PQconninfo(conn_.get()),
                                                                         PQconninfoFree);
  for (auto* o = options.get(); o && o->keyword; ++o)
    if (keyword == o->keyword && o->val) return o->val;
  return {};
}

bool pg_connection::ok() const {
  return conn_ && PQstatus(conn_.get()) == CONNECTION_OK;
}

bool pg_connection::alive() {
  // What the server sent while the connection was idle (a crash, a terminated backend) shows
  // here; after a second of silence a round trip makes sure.
  // Twice: a closing server sends its last message, then the end of the stream.
  for (int i = 0; i < 2; ++i)
    if (!ok() || PQconsumeInput(conn_.get()) != 1 || PQstatus(conn_.get()) != CONNECTION_OK)
      return false;
  if (std::chrono::steady_clock::now() - last_used_ < std::chrono::seconds(1)) return true;
  return exec("SELECT 1").ok();
}

std::string pg_connection::error() const {
  if (!conn_) return "out of memory";
  std::string e = PQerrorMessage(conn_.get());
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  return e;
}

pg_rows pg_connection::exec(const char* sql) {
  last_used_ = std::chrono::steady_clock::now();
  return pg_rows(PQexec(conn_.get(), sql));
}

pg_rows pg_connection::exec(const char* sql, const pg_params& p) {
  last_used_ = std::chrono::steady_clock::now();
  auto it = prepared_.find(std::string_view(sql));
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    pg_rows parsed(PQprepare(conn_.get(), name.c_str(), sql, p.count_, nullptr));
    if (!parsed.ok()) return parsed;
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  return pg_rows(PQexecPrepared(conn_.get(), it->second.c_str(), p.count_, p.values_.data(),
                                p.lengths_.data(), p.formats_.data(), 0));
}

std::optional<std::pair<std::string, std::string>> pg_connection::notification(
    std::chrono::milliseconds timeout) {
  const auto take = [this]() -> std::optional<std::pair<std::string, std::string>> {
    PGnotify* n = PQnotifies(conn_.get());
    if (!n) return std::nullopt;
    std::pair<std::string, std::string> out{n->relname, n->extra};
    PQfreemem(n);
    return out;
  };
  if (auto n = take()) return n;
  if (!ok()) return std::nullopt;
  pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  if (PQconsumeInput(conn_.get()) != 1) return std::nullopt;  // lost: ok() now says so
  last_used_ = std::chrono::steady_clock::now();
  return take();
}

bool is_retryable(std::string_view sqlstate) {
  return sqlstate == "40P01" || sqlstate == "40001";
}

bool is_connection_lost(std::string_view sqlstate) {
  return sqlstate.substr(0, 2) == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

std::string pg_text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace archibald
