#include "support/pg_server.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
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
  start_watchdog();
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
  if (watchdog_fd_ < 0) {  // no watchdog: clean up here
    std::error_code ec;
    fs::remove_all(dir_, ec);
    return;
  }
  ::close(watchdog_fd_);  // the watchdog stops the server and removes the folder
  ::waitpid(watchdog_pid_, nullptr, 0);
}

void pg_server::start_watchdog() {
  // A process of its own, waiting for the end of a pipe only this process holds: when the test
  // process ends — normally or killed (a ctest timeout, SIGPIPE) — it stops the server and
  // removes the folder. Everything is prepared before the fork; the child only execs.
  const std::string script =
      "cat > /dev/null; " +
      owner_command(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate stop > /dev/null 2>&1") +
      "; rm -rf " + dir_;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[0], STDIN_FILENO);
    ::close_range(3, ~0U, 0);  // holds none of the test's sockets open
    ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    return;
  }
  watchdog_fd_ = fds[1];
  watchdog_pid_ = pid;
}

std::string pg_server::owner_command(const std::string& command) {
  const std::string quoted = "'" + command + "'";
  return ::geteuid() == 0 ? "runuser -u postgres -- sh -c " + quoted : "sh -c " + quoted;
}

bool pg_server::run_as_owner(const std::string& command) const {
  return std::system(owner_command(command).c_str()) == 0;
}

bool pg_server::start() {
  return run_as_owner(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 30" +
                      " -o \"-p " + std::to_string(port_) + " -k " + dir_ +
                      " -c listen_addresses=127.0.0.1 -c fsync=on\" start > /dev/null 2>&1");
}

bool pg_server::crash() {
  return run_as_owner(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate stop > /dev/null 2>&1");
}

std::string create_database(const std::string& server_url, const std::string& name) {
  pg_connection admin(server_url + "/postgres");
  if (!admin.ok() || !admin.exec(("CREATE DATABASE " + name).c_str()).ok()) return {};
  return server_url + "/" + name;
}

std::string pg_server::server_url() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_);
}

std::string pg_server::url(const std::string& database) const {
  return server_url() + "/" + database;
}

std::string pg_server::create_database() {
  return testing::create_database(server_url(), "t" + std::to_string(++databases_));
}

}  // namespace archibald::testing
