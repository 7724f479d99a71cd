// A throwaway PostgreSQL server for tests: initdb in a temporary folder and pg_ctl on a free
// loopback port (as the postgres user when run as root: initdb and pg_ctl refuse root), fsync
// on; stopped and removed with the object. Needs Debian's postgresql package
// (scripts/install-deps.sh); without it, ok() is false and error() says why.
#pragma once

#include <cstdint>
#include <string>

namespace archibald::testing {

class pg_server {
 public:
  pg_server();
  ~pg_server();
  pg_server(const pg_server&) = delete;
  pg_server& operator=(const pg_server&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::uint16_t port() const { return port_; }

  // A new empty database of its own; its URL (postgresql://postgres@127.0.0.1:port/name).
  std::string create_database();
  std::string url(const std::string& database) const;

  // Stops the server as a crash would (pg_ctl stop -m immediate), and starts it again.
  bool crash();
  bool start();

 private:
  bool run_as_owner(const std::string& command) const;

  std::string bin_, dir_, error_;
  std::uint16_t port_ = 0;
  int databases_ = 0;
};

}  // namespace archibald::testing
