// A throwaway PostgreSQL server for tests: initdb in a temporary folder and pg_ctl on a free
// loopback port (as the postgres user when run as root: initdb and pg_ctl refuse root), fsync
// on; stopped and removed with the object, or by its watchdog process when the test process
// dies without destroying it. Needs Debian's postgresql package
// (scripts/install-deps.sh); without it, ok() is false and error() says why.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace archibald::testing {

// Creates the empty database `name` on the server at server_url (postgresql://user@host:port);
// its URL, or empty when that failed.
std::string create_database(const std::string& server_url, const std::string& name);

class pg_server {
 public:
  pg_server();
  ~pg_server();
  pg_server(const pg_server&) = delete;
  pg_server& operator=(const pg_server&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }

  // A new empty database of its own; its URL (postgresql://postgres@127.0.0.1:port/name).
  std::string create_database();
  std::string url(const std::string& database) const;
  std::string server_url() const;  // without a database

  // Stops the server as a crash would (pg_ctl stop -m immediate), and starts it again.
  bool crash();
  bool start();

 private:
  static std::string owner_command(const std::string& command);  // as postgres when root
  bool run_as_owner(const std::string& command) const;
  void start_watchdog();

  std::string bin_, dir_, error_;
  std::uint16_t port_ = 0;
  int databases_ = 0;
  int watchdog_fd_ = -1;  // its end closes when this process ends
  pid_t watchdog_pid_ = -1;
};

}  // namespace archibald::testing
