#include "load/driver/worker_set.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "load/driver/engine.hpp"
#include "metrics/process_stats.hpp"

namespace archibald::load {
namespace {

namespace json = boost::json;

json::object to_json(const shard_snapshot& s) {
  return {{"stats", s.stats.to_json()},
          {"gauges",
           {{"users", s.gauges.users},
            {"connections", s.gauges.connections},
            {"pending", s.gauges.pending}}},
          {"cpu", archibald::cpu_seconds()},
          {"rss", resident_memory_bytes()}};
}

struct worker_process {
  pid_t pid = -1;
  std::FILE* to = nullptr;    // its stdin
  std::FILE* from = nullptr;  // its stdout
  double cpu = 0, rss = 0;
};

class worker_set final : public load_source {
 public:
  explicit worker_set(std::vector<worker_process> workers) : workers_(std::move(workers)) {}
  ~worker_set() override {
    if (!finished_) finish();
  }

  void set_target_users(std::size_t target) override { send("users " + std::to_string(target)); }
  void set_write_period(milliseconds p) override { send("period " + std::to_string(p.count())); }
  void stop_writes() override { send("stop"); }
  shard_snapshot snapshot() override {
    send("snapshot");
    return collect();
  }
  shard_snapshot finish() override {
    send("finish");
    auto last = collect();
    for (auto& w : workers_) {
      std::fclose(w.to);
      std::fclose(w.from);
      int status = 0;
      ::waitpid(w.pid, &status, 0);
    }
    finished_ = true;
    return last;
  }
  double cpu_seconds() override {
    double total = 0;
    for (const auto& w : workers_) total += w.cpu;
    return total;
  }
  double rss_bytes() override {
    double total = 0;
    for (const auto& w : workers_) total += w.rss;
    return total;
  }

 private:
  void send(const std::string& line) {
    for (auto& w : workers_) {
      std::fputs((line + "\n").c_str(), w.to);
      std::fflush(w.to);
    }
  }

  shard_snapshot collect() {
    shard_snapshot total;
    for (auto& w : workers_) {
      std::string line;
      for (int c; (c = std::fgetc(w.from)) != EOF && c != '\n';) line += static_cast<char>(c);
      boost::system::error_code ec;
      const auto doc = json::parse(line, ec);
      if (ec || !doc.is_object()) {
        std::cerr << "worker " << w.pid << " sent no snapshot\n";
        continue;
      }
      const auto& o = doc.get_object();
      if (const auto* stats = o.if_contains("stats"); stats && stats->is_object())
        if (auto s = load_stats::from_json(stats->get_object())) total.stats.merge(*s);
      if (const auto* g = o.if_contains("gauges"); g && g->is_object()) {
        const auto n = [&](const char* k) {
          return g->get_object().at(k).to_number<std::uint64_t>();
        };
        total.gauges.users += n("users");
        total.gauges.connections += n("connections");
        total.gauges.pending += n("pending");
      }
      if (const auto* cpu = o.if_contains("cpu")) w.cpu = cpu->to_number<double>();
      if (const auto* rss = o.if_contains("rss")) w.rss = rss->to_number<double>();
    }
    return total;
  }

  std::vector<worker_process> workers_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<load_source> start_workers(const load_options& o) {
  std::vector<worker_process> workers;
  ::signal(SIGPIPE, SIG_IGN);
  for (unsigned i = 0; i < o.workers; ++i) {
    int to_child[2], from_child[2];
    if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) return nullptr;
    std::vector<std::string> args = o.command_line;
    args.insert(args.end(), {"--run-id", o.run_id, "--worker-of",
                             std::to_string(i) + "/" + std::to_string(o.workers)});
    const pid_t pid = ::fork();
    if (pid < 0) return nullptr;
    if (pid == 0) {
      ::dup2(to_child[0], STDIN_FILENO);
      ::dup2(from_child[1], STDOUT_FILENO);
      ::close(to_child[0]);
      ::close(to_child[1]);
      ::close(from_child[0]);
      ::close(from_child[1]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv("/proc/self/exe", argv.data());
      std::perror("exec worker");
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    workers.push_back({pid, ::fdopen(to_child[1], "w"), ::fdopen(from_child[0], "r")});
  }
  return std::make_unique<worker_set>(std::move(workers));
}

int serve_as_worker(const load_options& o, unsigned worker, unsigned workers) {
  raise_open_file_limit();
  ::signal(SIGINT, SIG_IGN);  // Ctrl-C reaches the whole group: the parent ends the run
  ::signal(SIGTERM, SIG_IGN);
  engine e(o, worker, workers);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.rfind("users ", 0) == 0)
      e.set_target_users(std::stoull(line.substr(6)));
    else if (line.rfind("period ", 0) == 0)
      e.set_write_period(milliseconds{std::stoll(line.substr(7))});
    else if (line == "stop")
      e.stop_writes();
    else if (line == "snapshot")
      std::cout << json::serialize(to_json(e.snapshot())) << "\n" << std::flush;
    else if (line == "finish") {
      std::cout << json::serialize(to_json(e.finish())) << "\n" << std::flush;
      return 0;
    }
  }
  e.finish();  // the parent is gone
  return 0;
}

}  // namespace archibald::load
