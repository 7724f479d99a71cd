// archibald-load: the load and stress generator. See README "Load testing" for every option.
//   archibald-load --url http://127.0.0.1:3000 --users 50 --devices 2 --duration 60s
//     --threshold 'ws_e2e_latency:p(95)<100' --out json=summary.json
#include <CLI/CLI.hpp>
#include <iostream>
#include <random>

#include "load/driver/client_tls.hpp"
#include "load/driver/runner.hpp"
#include "load/driver/worker_set.hpp"
#include "load/scenario.hpp"
#include "protocol/duration.hpp"
#include "protocol/server_config.hpp"

namespace {

using namespace archibald;
using namespace archibald::load;

constexpr int exit_usage = 2;

// A duration option: "30s", "1m30s", "500ms".
CLI::Option* add_duration(CLI::App& app, const std::string& name, milliseconds& out,
                          const std::string& help) {
  return app.add_option_function<std::string>(
      name,
      [&out, name](const std::string& text) {
        const auto d = parse_duration(text);
        if (!d) throw CLI::ValidationError(name, "expected a duration such as 30s, got " + text);
        out = *d;
      },
      help);
}

// --scenario is read before everything else: it sets defaults the other options override.
std::string scenario_argument(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--scenario" && i + 1 < argc) return argv[i + 1];
    if (a.rfind("--scenario=", 0) == 0) return a.substr(11);
  }
  return {};
}

std::string random_run_id() {
  std::random_device rd;
  const char* hex = "0123456789abcdef";
  std::string id = "load-";
  for (int i = 0; i < 8; ++i) id += hex[rd() % 16];
  return id;
}

}  // namespace

int main(int argc, char** argv) {
  load_options o;
  o.secret = std::getenv("JWT_SECRET") ? std::getenv("JWT_SECRET") : dev_jwt_secret;
  o.command_line.assign(argv, argv + argc);
  if (const auto name = scenario_argument(argc, argv); !name.empty()) {
    std::string error;
    const auto text = scenario_text(name, error);
    if (!error.empty()) {
      std::cerr << "archibald-load: " << error << "\n";
      return exit_usage;
    }
    if (const auto e = apply_scenario(text, o); !e.empty()) {
      std::cerr << "archibald-load: scenario " << name << ": " << e << "\n";
      return exit_usage;
    }
    o.scenario = name;
  }

  CLI::App app{"archibald-load: WebSocket sync load and stress generator"};
  std::vector<std::string> urls, stages, thresholds, outs;
  std::string mode = std::string(name_of(o.mode)), source_ips, worker_of, scenario_ignored;
  app.add_option("--url", urls, "server base URL, repeatable (several nodes)");
  app.add_option("--ca", o.ca_file,
                 "https:// / wss://: CA file that signed the servers' certificates");
  app.add_flag("--insecure", o.insecure,
               "https:// / wss://: do not verify the servers' certificates (self-signed, tests)");
  app.add_flag("--spread-users", o.spread_users,
               "several --url: pin each user to one node instead of spreading its devices");
  app.add_option("--secret", o.secret, "JWT secret (default: $JWT_SECRET or the dev secret)");
  app.add_option(
      "--scenario", scenario_ignored,
      "built-in scenario (tiers scale fanout storm spike soak breakpoint breakpoint-ws chaos) or "
      "a JSON file; sets defaults the other options override");
  app.add_option("--users", o.users, "users (without --stage)");
  app.add_option("--devices", o.devices, "devices (WebSocket connections) per user");
  app.add_option("--write-mode", mode, "rest | ws | publish")
      ->check(CLI::IsMember({"rest", "ws", "publish"}));
  add_duration(app, "--write-period", o.write_period, "one write per user every (0: no writes)");
  app.add_option("--write-rate", o.write_rate, "total writes per second (overrides the period)");
  app.add_option("--items", o.items, "items per draft (payload size)");
  add_duration(app, "--duration", o.duration, "run time (without --stage)");
  double scale = 1;
  app.add_option("--scale", scale, "multiply every duration of the plan (e.g. 0.05: quick run)")
      ->check(CLI::Range(0.001, 100.0));
  double users_scale = 1;
  app.add_option("--users-scale", users_scale,
                 "multiply the users of the plan (e.g. 0.1: a tenth; as k6's USERS_SCALE)")
      ->check(CLI::Range(0.0001, 100.0));
  app.add_option("--stage", stages, "DURATION:USERS, repeatable, k6 ramping (e.g. 30s:100)");
  app.add_option("--threshold", thresholds,
                 "'METRIC:EXPR', repeatable (e.g. 'ws_e2e_latency:p(95)<100')");
  app.add_option("--out", outs, "json=FILE (summary) or ndjson=FILE (per second), repeatable");
  app.add_option("--server-pid", o.server_pid, "sample this server process's RSS and CPU");
  app.add_option("--source-ips", source_ips, "loopback source range, e.g. 127.0.0.1-127.0.0.4");
  app.add_option("--workers", o.workers, "worker processes (each its own share of users)");
  app.add_option("--threads", o.threads, "event-loop threads per process");
  app.add_flag("--quiet", o.quiet, "no progress line");
  app.add_option("--chaos-kill-pid", o.chaos.kill_pid, "SIGKILL this process at --chaos-at");
  add_duration(app, "--chaos-at", o.chaos.at, "when the chaos happens");
  app.add_option("--chaos-restart", o.chaos.restart_command, "shell command run after the kill");
  add_duration(app, "--chaos-restart-delay", o.chaos.restart_delay, "wait before the restart");
  add_duration(app, "--ping-period", o.ping_period, "app-level ping per device (0: none)");
  add_duration(app, "--delivery-timeout", o.delivery_timeout, "an event later than this is lost");
  add_duration(app, "--drain", o.drain, "after the last write, wait this long for deliveries");
  app.add_option("--connect-concurrency", o.connect_concurrency, "handshakes in flight per thread");
  app.add_option("--http-connections", o.http_connections, "kept-alive write connections (total)");
  app.add_option("--max-in-flight", o.max_in_flight_per_user, "unanswered writes per user");
  app.add_option("--run-id", o.run_id, "prefix of the user ids (default: random)");
  app.add_option("--worker-of", worker_of, "internal: I/N, run as worker I of N")->group("");
  // A single-valued option given twice: the last wins (as in k6).
  for (auto* option : app.get_options())
    if (option->get_expected_max() == 1)
      option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  CLI11_PARSE(app, argc, argv);

  std::string error;
  if (!urls.empty()) {
    o.urls.clear();
    for (const auto& u : urls) {
      const auto url = parse_target_url(u, error);
      if (!url) break;
      o.urls.push_back(*url);
    }
  }
  o.mode = *parse_write_mode(mode);
  if (!stages.empty()) {
    o.stages.clear();
    for (const auto& s : stages) {
      const auto st = parse_stage(s);
      if (!st)
        error = "bad --stage '" + s + "' (expected DURATION:USERS, e.g. 30s:100)";
      else
        o.stages.push_back(*st);
    }
  }
  if (!thresholds.empty()) {
    o.thresholds.clear();
    for (const auto& t : thresholds) {
      auto parsed = parse_threshold(t);
      if (auto* e = std::get_if<std::string>(&parsed))
        error = "--threshold " + t + ": " + *e;
      else
        o.thresholds.push_back(std::get<threshold>(std::move(parsed)));
    }
  }
  for (const auto& out : outs) {
    if (out.rfind("json=", 0) == 0)
      o.out_json = out.substr(5);
    else if (out.rfind("ndjson=", 0) == 0)
      o.out_ndjson = out.substr(7);
    else
      error = "bad --out '" + out + "' (expected json=FILE or ndjson=FILE)";
  }
  if (scale != 1) scale_durations(o, scale);
  if (users_scale != 1) scale_users(o, users_scale);
  if (!source_ips.empty())
    if (auto ips = parse_source_ips(source_ips, error)) o.source_ips = std::move(*ips);
  if (error.empty()) error = check_options(o);
  for (const auto& url : o.urls)
    if (const auto* tls = client_tls(o, url); error.empty() && tls && !tls->error().empty())
      error = "TLS: " + tls->error();
  if (!error.empty()) {
    std::cerr << "archibald-load: " << error << "\n";
    return exit_usage;
  }
  if (o.run_id.empty()) o.run_id = random_run_id();

  if (!worker_of.empty()) {
    const auto slash = worker_of.find('/');
    o.quiet = true;
    o.out_json.clear();
    o.out_ndjson.clear();
    return serve_as_worker(o, std::stoul(worker_of.substr(0, slash)),
                           std::stoul(worker_of.substr(slash + 1)));
  }
  return run_load_test(o, std::cout, std::cerr);
}
