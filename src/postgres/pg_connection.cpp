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
  if (result_ && PQresultStatus(result_.get()) == PGRES_PIPELINE_ABORTED)
    return "25P02";  // skipped: an earlier statement of its pipeline failed
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

pg_params& pg_params::array(const std::string& literal) {
  values_[count_] = literal.c_str();
  lengths_[count_] = 0;
  formats_[count_] = 0;  // text: the array's input syntax
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
  if (!conn_) return "no connection";
  std::string e = PQerrorMessage(conn_.get());
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  return e;
}

pg_rows pg_connection::exec(const char* sql) {
  last_used_ = std::chrono::steady_clock::now();
  return pg_rows(PQexec(conn_.get(), sql));
}

std::pair<std::string, bool> pg_connection::statement_name(const char* sql) {
  if (auto it = prepared_.find(std::string_view(sql)); it != prepared_.end())
    return {it->second, false};
  return {"s" + std::to_string(++statements_named_), true};
}

pg_rows pg_connection::exec(const char* sql, const pg_params& p) {
  last_used_ = std::chrono::steady_clock::now();
  auto [name, unprepared] = statement_name(sql);
  if (unprepared) {
    pg_rows parsed(PQprepare(conn_.get(), name.c_str(), sql, p.count_, nullptr));
    if (!parsed.ok()) return parsed;
    prepared_.emplace(sql, name);
  }
  return pg_rows(PQexecPrepared(conn_.get(), name.c_str(), p.count_, p.values_.data(),
                                p.lengths_.data(), p.formats_.data(), 0));
}

std::vector<pg_rows> pg_connection::exec_pipeline(const std::vector<pg_statement>& statements) {
  last_used_ = std::chrono::steady_clock::now();
  std::vector<pg_rows> out;
  out.reserve(statements.size());
  PGconn* c = conn_.get();
  if (!ok() || PQenterPipelineMode(c) != 1) {
    out.resize(statements.size());  // no results: the connection failed
    return out;
  }
  // What was sent, in order: a statement's preparation (its text, its name), or its execution.
  struct sent {
    const char* to_prepare;
    std::string name;
  };
  std::vector<sent> queue;
  bool sending = true;
  for (const pg_statement& s : statements) {
    auto [name, unprepared] = statement_name(s.sql);
    for (const sent& q : queue)  // the same text twice in one pipeline: prepared once
      if (unprepared && q.to_prepare == s.sql) name = q.name, unprepared = false;
    if (unprepared) {
      sending = sending && PQsendPrepare(c, name.c_str(), s.sql, s.params.count_, nullptr) == 1;
      queue.push_back({s.sql, name});
    }
    const pg_params& p = s.params;
    sending = sending && PQsendQueryPrepared(c, name.c_str(), p.count_, p.values_.data(),
                                             p.lengths_.data(), p.formats_.data(), 0) == 1;
    queue.push_back({nullptr, name});
  }
  sending = sending && PQpipelineSync(c) == 1;
  // Each result is followed by a null one; the pipeline ends with its sync result. A lost
  // connection ends it early: the statements not answered have no result.
  for (const sent& q : queue) {
    pg_rows result(sending ? PQgetResult(c) : nullptr);
    if (sending) sending = PQgetResult(c) == nullptr && ok();
    if (q.to_prepare) {
      if (result.ok()) prepared_.emplace(q.to_prepare, q.name);
    } else {
      out.push_back(std::move(result));
    }
  }
  if (sending) pg_rows(PQgetResult(c));  // PGRES_PIPELINE_SYNC
  if (PQexitPipelineMode(c) != 1) {      // results left unread: the session cannot go on
    spdlog::warn("PostgreSQL: pipeline left unfinished ({}); connection dropped", error());
    conn_.reset();
  }
  out.resize(statements.size());
  return out;
}

int pg_connection::backend_pid() const {
  return ok() ? PQbackendPID(conn_.get()) : 0;
}

std::optional<pg_notification> pg_connection::notification(std::chrono::milliseconds timeout) {
  const auto take = [this]() -> std::optional<pg_notification> {
    PGnotify* n = PQnotifies(conn_.get());
    if (!n) return std::nullopt;
    pg_notification out{n->relname, n->extra, n->be_pid};
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

namespace {

template <typename Strings>
std::string text_array(const Strings& values) {
  std::size_t size = 2;
  for (const auto& v : values) size += v.size() + 3;
  std::string out;
  out.reserve(size + size / 8);
  out += '{';
  for (const auto& v : values) {
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

}  // namespace

std::string pg_text_array(const std::vector<std::string>& values) {
  return text_array(values);
}

std::string pg_text_array(const std::vector<std::string_view>& values) {
  return text_array(values);
}

std::string pg_int64_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  std::array<char, 24> number;
  for (const std::int64_t v : values) {
    if (out.size() > 1) out += ',';
    out.append(number.data(), std::to_chars(number.data(), number.data() + number.size(), v).ptr);
  }
  out += '}';
  return out;
}

}  // namespace archibald
