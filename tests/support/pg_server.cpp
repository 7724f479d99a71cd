#include "support/pg_server.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "postgres/pg_connection.hpp"
#include "support/server_process.hpp"

namespace archibald::testing {
namespace fs = std::filesystem;

namespace {

// The newest installed server's binaries (Debian: /usr/lib/postgresql/<major>/bin).
std::string server_binaries() {
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec))
    if (fs::exists(entry.path() / "bin" / "initdb") && entry.path().string() > best)
      best = entry.path().string();
  return best.empty() ? best : best + "/bin";
}

}  // namespace

pg_server::pg_server() : bin_(server_binaries()) {
  if (bin_.empty()) {
    error_ = "no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql)";
    return;
  }
  char pattern[] = "/tmp/archibald-pg-XXXXXX";
  if (!::mkdtemp(pattern)) {
    error_ = "cannot create a temporary folder";
    return;
  }
  dir_ = pattern;
  if (::geteuid() == 0) {
    const passwd* pg = ::getpwnam("postgres");
    if (!pg || ::chown(dir_.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
      error_ = "running as root needs the postgres user (Debian's postgresql package)";
      return;
    }
  }
  if (!run_as_owner(bin_ + "/initdb -D " + dir_ + "/data -A trust -U postgres -E UTF8" +
                    " --locale=C.UTF-8 --no-sync > " + dir_ + "/initdb.log 2>&1")) {
    error_ = "initdb failed (see " + dir_ + "/initdb.log)";
    return;
  }
  port_ = free_loopback_port();
  if (!start()) error_ = "pg_ctl start failed (see " + dir_ + "/server.log)";
}

pg_server::~pg_server() {
  if (dir_.empty()) return;
  if (port_) run_as_owner(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate stop > /dev/null 2>&1");
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool pg_server::run_as_owner(const std::string& command) const {
  const std::string quoted = "'" + command + "'";
  const std::string line =
      ::geteuid() == 0 ? "runuser -u postgres -- sh -c " + quoted : "sh -c " + quoted;
  return std::system(line.c_str()) == 0;
}

bool pg_server::start() {
  return run_as_owner(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 30" +
                      " -o \"-p " + std::to_string(port_) + " -k " + dir_ +
                      " -c listen_addresses=127.0.0.1 -c fsync=on\" start > /dev/null 2>&1");
}

bool pg_server::crash() {
  return run_as_owner(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate stop > /dev/null 2>&1");
}

std::string pg_server::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string pg_server::create_database() {
  const std::string name = "t" + std::to_string(++databases_);
  pg_connection admin(url("postgres"));
  if (!admin.ok() || !admin.exec(("CREATE DATABASE " + name).c_str()).ok()) return {};
  return url(name);
}

}  // namespace archibald::testing
