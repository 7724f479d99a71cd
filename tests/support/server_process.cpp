#include "support/server_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "client/http_client.hpp"
#include "support/pg_server.hpp"

extern char** environ;

namespace archibald::testing {

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

namespace {

bool sets(const server_process::env_list& env, std::string_view name) {
  return std::any_of(env.begin(), env.end(), [&](const auto& kv) { return kv.first == name; });
}

// The PostgreSQL server the suite runs on: ARCHIBALD_TEST_DATABASE_SERVER
// (postgresql://user@host:port), or the URL after the folder in the file
// ARCHIBALD_TEST_DATABASE_SERVER_FILE names (tests/support/pg-suite.sh); none: SQLite.
std::string test_database_server() {
  if (const char* url = std::getenv("ARCHIBALD_TEST_DATABASE_SERVER"); url && *url) return url;
  const char* file = std::getenv("ARCHIBALD_TEST_DATABASE_SERVER_FILE");
  if (!file || !*file) return {};
  std::ifstream in(file);
  std::string dir, url;
  if (!(in >> dir >> url)) throw std::runtime_error(std::string("no server URL in ") + file);
  return url;
}

// Each server started without a store of its own (DB_PATH or DATABASE_URL) gets a new empty
// database on the suite's PostgreSQL server, if any.
std::string new_test_database() {
  const std::string server = test_database_server();
  if (server.empty()) return {};
  static int created = 0;
  auto url =
      create_database(server, "t" + std::to_string(::getpid()) + "_" + std::to_string(++created));
  if (url.empty()) throw std::runtime_error("cannot create a test database on " + server);
  return url;
}

}  // namespace

server_process::server_process(env_list env, std::vector<std::string> args,
                               unsigned open_file_limit) {
  if (!sets(env, "DB_PATH") && !sets(env, "DATABASE_URL"))
    if (auto url = new_test_database(); !url.empty()) env.emplace_back("DATABASE_URL", url);
  port_ = free_loopback_port();
  tls_ = sets(env, "TLS_CERT");
  char log_template[] = "/tmp/archibald-test-XXXXXX";
  const int log_fd = ::mkstemp(log_template);
  log_path_ = log_template;
  db_dir_ = log_path_ + ".d";

  env_list full = {{"HOST", host_},
                   {"PORT", std::to_string(port_)},
                   {"JWT_SECRET", test_secret},
                   {"LOG_LEVEL", "info"},
                   {"DB_PATH", db_dir_ + "/realtime.db"},
                   {"SYNC_MODE", "normal"},
                   // Under AddressSanitizer, freed memory sits in a quarantine (256 MB by
                   // default) that would hide whether the server itself keeps memory bounded.
                   {"ASAN_OPTIONS", "quarantine_size_mb=4:detect_leaks=1"}};
  for (auto& kv : env) {
    auto same =
        std::find_if(full.begin(), full.end(), [&](auto& f) { return f.first == kv.first; });
    if (same != full.end()) {
      same->second = std::move(kv.second);
    } else {
      full.push_back(std::move(kv));
    }
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& [k, v] : full) overridden |= k == name;
    if (!overridden) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : full) env_strings.push_back(k + "=" + v);

  std::vector<std::string> argv_strings{ARCHIBALD_SERVER_BIN};
  for (auto& a : args) argv_strings.push_back(std::move(a));
  std::vector<char*> argv, envp;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    if (open_file_limit != 0) {
      const rlimit limit{open_file_limit, open_file_limit};
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) throw std::runtime_error("server exited at start-up:\n" + log());
    const auto r = http_request(host_, port_, "GET", "/health/live", {}, {},
                                std::chrono::milliseconds(500), tls_ ? &insecure_tls() : nullptr);
    if (r.status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("server did not start:\n" + log());
}

server_process::~server_process() {
  if (pid_ > 0 && running()) stop(SIGKILL, std::chrono::seconds(5));
  if (!log_path_.empty()) ::unlink(log_path_.c_str());
  if (!db_dir_.empty() && !keep_db_) std::filesystem::remove_all(db_dir_);
}

bool server_process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  pid_ = -1;
  return false;
}

int server_process::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_status_;
  ::kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return exit_status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return -1;
}

std::uint64_t server_process::rss_bytes() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

std::string server_process::log() const {
  std::ifstream in(log_path_);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string server_process::token(const std::string& user, user_role role,
                                  const std::string& device, std::int64_t ttl_s) {
  return issue_token(test_secret, user, role, device, std::chrono::seconds(ttl_s));
}

}  // namespace archibald::testing
