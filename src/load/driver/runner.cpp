#include "load/driver/runner.hpp"

#include <signal.h>

#include <boost/json/serialize.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <thread>

#include "client/http_client.hpp"
#include "load/driver/client_tls.hpp"
#include "load/driver/engine.hpp"
#include "load/driver/worker_set.hpp"
#include "load/report.hpp"
#include "load/stage_plan.hpp"
#include "metrics/process_stats.hpp"
#include "metrics/prometheus_writer.hpp"

namespace archibald::load {
namespace {

using steady = std::chrono::steady_clock;

// Ctrl-C (or SIGTERM) ends the run early, as in k6: drain, summary, thresholds. A second one
// kills the tool at once.
volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_interrupt(int signal) {
  if (interrupted) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
  interrupted = 1;
}
using namespace std::chrono_literals;

// The server's resident memory and CPU seconds: /proc/<pid> when we know it, else /metrics
// of every node.
struct server_probe {
  const load_options& options;
  std::optional<double> last_cpu;
  steady::time_point last_at;

  // Summed over every node (several --url): the servers as a whole.
  std::optional<process_usage> read() {
    if (options.server_pid > 0) return read_process_usage(options.server_pid);
    process_usage total;
    for (const auto& url : options.urls) {
      const auto r = http_request(url.host, url.port, "GET", "/metrics", {}, {}, 500ms,
                                  client_tls(options, url));
      if (r.status != 200) return std::nullopt;
      const auto rss = prometheus_sample(r.body, "archibald_process_resident_memory_bytes");
      const auto cpu = prometheus_sample(r.body, "archibald_process_cpu_seconds_total");
      if (!rss || !cpu) return std::nullopt;
      total.rss_bytes += static_cast<std::uint64_t>(*rss);
      total.cpu_seconds += *cpu;
    }
    return total;
  }

  // RSS and CPU % (100 = one core) since the previous sample.
  std::pair<std::optional<double>, std::optional<double>> sample() {
    const auto usage = read();
    const auto now = steady::now();
    if (!usage) return {};
    std::optional<double> percent;
    if (last_cpu) {
      const double wall = std::chrono::duration<double>(now - last_at).count();
      if (wall > 0) percent = (usage->cpu_seconds - *last_cpu) / wall * 100.0;
    }
    last_cpu = usage->cpu_seconds;
    last_at = now;
    return {static_cast<double>(usage->rss_bytes), percent};
  }
};

struct chaos_runner {
  const chaos_plan& plan;
  bool done = false;

  void maybe_fire(milliseconds elapsed, std::ostream& progress) {
    if (done || plan.at.count() == 0 || elapsed < plan.at) return;
    done = true;
    if (plan.kill_pid > 0) {
      progress << "chaos: SIGKILL to " << plan.kill_pid << "\n";
      ::kill(plan.kill_pid, SIGKILL);
    }
    if (!plan.restart_command.empty()) {
      const auto command = plan.restart_command;
      const auto delay = plan.restart_delay;
      progress << "chaos: restarting in " << delay.count() << " ms: " << command << "\n";
      std::thread([command, delay] {
        std::this_thread::sleep_for(delay);
        [[maybe_unused]] const int rc = std::system(command.c_str());
      }).detach();
    }
  }
};

class control_loop {
 public:
  control_loop(const load_options& o, load_source& source, std::ostream& progress)
      : o_(o), source_(source), progress_(progress), probe_{o, {}, {}} {
    if (!o.out_ndjson.empty()) ndjson_.open(o.out_ndjson);
    start_ = last_ = steady::now();
    last_cpu_ = source_.cpu_seconds();
    if (o.urls.size() > 1) total_.node(o.urls.size() - 1);  // every node reported, even idle
  }

  milliseconds elapsed() const {
    return std::chrono::duration_cast<milliseconds>(steady::now() - start_);
  }

  // Waits for the next second, collects it; returns the interval's snapshot. steady: the
  // second counts towards the server's CPU per operation.
  shard_snapshot second(bool steady = false) {
    next_ += 1s;
    std::this_thread::sleep_until(start_ + next_);
    return record(source_.snapshot(), steady);
  }

  shard_snapshot record(shard_snapshot snap, bool steady = false) {
    const auto now = steady::now();
    total_.merge(snap.stats);
    second_sample s;
    s.elapsed_s = std::chrono::duration<double>(now - start_).count();
    s.gauges = snap.gauges;
    s.interval = snap.stats;
    s.e2e_p99_so_far_ms = total_[trend::ws_e2e_latency].quantile_us(0.99) / 1000.0;
    const auto [rss, cpu] = probe_.sample();
    s.server_rss_bytes = rss;
    s.server_cpu_percent = cpu;
    const double cpu_now = source_.cpu_seconds();
    const double wall = std::chrono::duration<double>(now - last_).count();
    s.tool_cpu_percent = wall > 0 ? (cpu_now - last_cpu_) / wall * 100.0 : 0;
    s.tool_rss_bytes = source_.rss_bytes();
    last_cpu_ = cpu_now;
    last_ = now;
    gauges_.users.sample(static_cast<double>(s.gauges.users));
    gauges_.connections.sample(static_cast<double>(s.gauges.connections));
    if (rss) gauges_.server_rss_bytes.sample(*rss);
    if (cpu) gauges_.server_cpu_percent.sample(*cpu);
    if (cpu && steady) {
      auto& st = gauges_.steady;
      st.server_cpu_s += *cpu / 100.0 * wall;
      st.seconds += wall;
      st.writes += snap.stats[counter::writes] -
                   std::min(snap.stats[counter::writes], snap.stats[counter::writes_failed]);
      st.deliveries += snap.stats[counter::deliveries];
    }
    const auto connects = snap.stats[counter::ws_connect_ok];
    if (wall > 0) gauges_.connects_per_s.sample(static_cast<double>(connects) / wall);
    if (cpu && connects && !snap.stats[counter::writes] && !snap.stats[counter::deliveries]) {
      gauges_.connecting.server_cpu_s += *cpu / 100.0 * wall;
      gauges_.connecting.connects += connects;
    }
    gauges_.tool_cpu_percent.sample(s.tool_cpu_percent);
    gauges_.tool_rss_bytes.sample(s.tool_rss_bytes);
    tool_cpu_sum_ += s.tool_cpu_percent;
    ++seconds_;
    if (!o_.quiet) progress_ << progress_line(s, planned_s()) << "\n" << std::flush;
    if (ndjson_) ndjson_ << ndjson_line(s) << "\n" << std::flush;
    return snap;
  }

  void note(const std::string& line) {
    if (!o_.quiet) progress_ << line << "\n" << std::flush;
  }

  double planned_s() const { return std::chrono::duration<double>(planned_duration(o_)).count(); }
  double duration_s() const {
    return std::chrono::duration<double>(steady::now() - start_).count();
  }
  const load_stats& total() const { return total_; }
  const run_gauges& gauges() const { return gauges_; }
  double mean_tool_cpu() const { return seconds_ ? tool_cpu_sum_ / seconds_ : 0; }

 private:
  const load_options& o_;
  load_source& source_;
  std::ostream& progress_;
  server_probe probe_;
  std::ofstream ndjson_;
  steady::time_point start_, last_;
  milliseconds next_{0};
  double last_cpu_ = 0, tool_cpu_sum_ = 0;
  std::size_t seconds_ = 0;
  load_stats total_;
  run_gauges gauges_;
};

std::vector<std::string> warnings_for(const load_options& o, const control_loop& loop) {
  std::vector<std::string> w;
  static const std::string interrupted_note = "interrupted: the run ended early";
  if (interrupted) w.push_back(interrupted_note);
  const auto& t = loop.total();
  const double cores = static_cast<double>(o.threads) * o.workers;
  const double cpu = loop.mean_tool_cpu();
  if (cpu > 80.0 * cores || loop.gauges().tool_cpu_percent.max > 95.0 * cores)
    w.push_back("the load tool itself was busy (" + std::to_string(static_cast<int>(cpu)) +
                "% CPU on average for " + std::to_string(static_cast<int>(cores)) +
                " thread(s)): latencies may include its own queueing; add --threads or --workers");
  if (t[trend::tool_loop_lag].quantile_us(0.99) > 50'000)
    w.push_back("the tool's event loop ran late (p99 " +
                format_ms(t[trend::tool_loop_lag].quantile_us(0.99) / 1000.0) +
                "): it was a bottleneck");
  const auto writes = t[counter::writes] + t[counter::writes_skipped];
  if (writes && t[counter::writes_skipped] * 100 > writes)
    w.push_back(std::to_string(t[counter::writes_skipped]) +
                " writes were skipped (no open device or too many in flight)");
  if (writes && t[counter::writes_late] * 100 > writes)
    w.push_back(std::to_string(t[counter::writes_late]) +
                " writes left more than 10 ms after their intended time (latency counts it)");
  return w;
}

// Breakpoint levels: step the write rate, then the users, until a level fails.
boost::json::array run_breakpoint(const load_options& o, load_source& source, control_loop& loop) {
  const auto& b = o.breakpoint;
  const auto& rules = b.thresholds.empty() ? o.thresholds : b.thresholds;
  boost::json::array curve;
  std::size_t users = o.users;
  double rate = b.rate_start > 0
                    ? b.rate_start
                    : static_cast<double>(users) * 1000.0 /
                          static_cast<double>(std::max<std::int64_t>(1, o.write_period.count()));
  bool stepping_rate = b.rate_step > 0;
  bool recovering = false;  // the level before overloaded the server
  const auto seconds = std::max<std::int64_t>(1, b.step.count() / 1000);
  for (std::size_t level = 0; level < b.max_levels && !interrupted; ++level) {
    const auto period = milliseconds{std::max<std::int64_t>(
        1, static_cast<std::int64_t>(static_cast<double>(users) * 1000.0 / rate))};
    source.set_write_period(period);
    source.set_target_users(users);
    // After a failed level the server still works off its backlog: one step unmeasured, or
    // the first users level would be charged with the rate level's overload.
    for (std::int64_t i = 0; recovering && i < seconds && !interrupted; ++i) loop.second();
    recovering = false;
    // New users connect first: a level measures a steady load, not a connection ramp.
    const auto connected_by = loop.elapsed() + std::chrono::seconds(30);
    while (loop.elapsed() < connected_by && loop.second().gauges.connections < users * o.devices) {
    }
    load_stats level_stats;
    for (std::int64_t i = 0; i < seconds; ++i) level_stats.merge(loop.second().stats);
    const auto table = build_metric_table(level_stats, static_cast<double>(seconds), loop.gauges(),
                                          o.mode != write_mode::ws);
    const auto results = evaluate_all(rules, table);
    bool ok = true;
    for (const auto& r : results) ok = ok && r.ok;
    const auto& e2e = level_stats[trend::ws_e2e_latency];
    curve.push_back({{"level", level},
                     {"phase", stepping_rate ? "rate" : "users"},
                     {"users", users},
                     {"writesPerSecond", table.at("writes").value("rate").value_or(0)},
                     {"targetRate", rate},
                     {"e2eP50Ms", e2e.quantile_us(0.5) / 1000.0},
                     {"e2eP95Ms", e2e.quantile_us(0.95) / 1000.0},
                     {"e2eP99Ms", e2e.quantile_us(0.99) / 1000.0},
                     {"checks", table.at("checks").value("rate").value_or(0)},
                     {"ok", ok}});
    loop.note("breakpoint level " + std::to_string(level) + ": " + std::to_string(users) +
              " users, " + std::to_string(static_cast<int>(rate)) +
              " writes/s target: " + (ok ? "pass" : "FAIL"));
    if (!ok) {
      if (stepping_rate && b.users_step > 0) {
        stepping_rate = false;  // the rate limit is found; now users at 1 write/user/s
        rate = static_cast<double>(users);
        recovering = true;
        continue;
      }
      break;
    }
    if (stepping_rate)
      rate += b.rate_step;
    else if (b.users_step > 0) {
      users += b.users_step;
      rate = static_cast<double>(users);
    } else
      break;
  }
  return curve;
}

}  // namespace

int run_load_test(const load_options& given, std::ostream& out, std::ostream& progress) {
  load_options o = given;
  if (o.source_ips.empty()) {
    o.source_ips = default_source_ips(o);
    if (!o.source_ips.empty())
      progress << "spreading connections over source addresses " << o.source_ips.front() << "-"
               << o.source_ips.back() << " (the kernel's port search slows down past ~8,000 "
               << "connections per address; --source-ips to choose)\n";
  }
  const auto fd_limit = raise_open_file_limit();
  const std::size_t per_process = (peak_users(o) * o.devices + o.workers - 1) / o.workers + 64;
  if (per_process > fd_limit)
    progress << "warning: " << per_process << " sockets per process but the open-file limit is "
             << fd_limit << "; use --workers " << (peak_users(o) * o.devices / (fd_limit - 500) + 1)
             << "\n";
  std::unique_ptr<load_source> source;
  if (o.workers > 1)
    source = start_workers(o);
  else
    source = std::make_unique<engine>(o, 0, 1);
  if (!source) return 1;

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  control_loop loop(o, *source, progress);
  chaos_runner chaos{o.chaos};
  run_outcome outcome;
  if (o.breakpoint.enabled) {
    outcome.extra["breakpoint"] = run_breakpoint(o, *source, loop);
  } else {
    const stage_plan plan(o);
    std::size_t target = SIZE_MAX, connections = 0;
    milliseconds changed_at{0};
    while (loop.elapsed() < plan.total() && !interrupted) {
      if (const auto t = plan.target_at(loop.elapsed()); t != target) {
        source->set_target_users(target = t);
        changed_at = loop.elapsed();
      }
      chaos.maybe_fire(loop.elapsed(), progress);
      // Steady: the same users for two seconds, all connected, no chaos under way.
      const bool steady = target > 0 && loop.elapsed() - changed_at >= 2s &&
                          connections >= target * o.devices && !o.chaos.at.count();
      connections = loop.second(steady).gauges.connections;
    }
  }
  // Drain: no new writes; wait for what is in flight to arrive.
  source->stop_writes();
  const auto drain_end = loop.elapsed() + o.drain;
  while (loop.elapsed() < drain_end && loop.second().gauges.pending > 0) {
  }
  loop.record(source->finish());

  outcome.duration_s = loop.duration_s();
  outcome.metrics =
      build_metric_table(loop.total(), outcome.duration_s, loop.gauges(), o.mode != write_mode::ws);
  outcome.thresholds = evaluate_all(o.thresholds, outcome.metrics);
  outcome.warnings = warnings_for(o, loop);
  outcome.errors = loop.total().errors;
  out << summary_text(o, outcome) << std::flush;
  if (!o.out_json.empty()) {
    std::ofstream json_out(o.out_json);
    json_out << boost::json::serialize(summary_json(o, outcome)) << "\n";
    if (!json_out) {
      progress << "cannot write " << o.out_json << "\n";
      return 1;
    }
  }
  for (const auto& t : outcome.thresholds)
    if (!t.ok) return exit_thresholds_failed;
  return 0;
}

}  // namespace archibald::load
