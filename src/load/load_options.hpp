// Everything a load run is told: filled from a scenario (built-in or file), then from the
// command line, validated by check_options(). Pure data and parsers; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "load/threshold.hpp"

namespace archibald::load {

using std::chrono::milliseconds;

enum class write_mode { rest, ws, publish };
std::optional<write_mode> parse_write_mode(std::string_view text);
std::string_view name_of(write_mode mode);

struct stage {
  milliseconds duration{0};
  std::size_t target = 0;
};
// "30s:100" → 30 s ramping to 100 users.
std::optional<stage> parse_stage(std::string_view text);

struct endpoint_url {
  std::string host;  // numeric address ("localhost" becomes 127.0.0.1)
  std::uint16_t port = 0;
  bool tls = false;  // https:// or wss://
};
// "http://127.0.0.1:3000" or https:// (ws://, wss://; a trailing path is ignored). Only loopback
// and private addresses (network namespaces) are accepted: this tool never loads a machine it does
// not own.
std::optional<endpoint_url> parse_target_url(std::string_view text, std::string& error);

// "127.0.0.1-127.0.0.4" or "127.0.0.1,127.0.0.2": loopback source addresses, in order.
std::optional<std::vector<std::string>> parse_source_ips(std::string_view text, std::string& error);

// Step the load up until a threshold fails (DESIGN §5 "breakpoint", "fanout").
struct breakpoint_plan {
  bool enabled = false;
  milliseconds step{30'000};   // each level runs this long
  double rate_start = 0;       // total writes/s of the first level (0: users × period)
  double rate_step = 0;        // added per level (0: not stepping the rate)
  std::size_t users_step = 0;  // then users added per level at 1 write/user/s (0: no)
  std::size_t max_levels = 20;
  std::vector<threshold> thresholds;  // evaluated per level; empty: the run's thresholds
};

struct chaos_plan {
  milliseconds at{0};           // when to kill (0: no chaos)
  int kill_pid = 0;             // SIGKILLed at `at`
  std::string restart_command;  // run through /bin/sh after the kill
  milliseconds restart_delay{1000};
};

struct load_options {
  std::string scenario;  // name or file it came from; empty: none
  std::string description;
  std::vector<endpoint_url> urls{{"127.0.0.1", 3000}};
  bool spread_users = false;  // several urls: pin each user to one (default: spread devices)
  std::string ca_file;        // https:// / wss://: the CA that signed the servers' certificates
  bool insecure = false;      // https:// / wss://: no verification (self-signed test certificates)
  std::string secret;
  std::size_t users = 10;
  std::size_t devices = 2;
  write_mode mode = write_mode::rest;
  milliseconds write_period{1000};  // per user
  double write_rate = 0;            // total writes/s; when > 0, overrides write_period
  std::size_t items = 1;            // draft items per write (payload size)
  milliseconds duration{30'000};    // without stages
  std::vector<stage> stages;        // with stages, their sum is the duration
  std::vector<threshold> thresholds;
  milliseconds ping_period{5'000};  // app-level "ping" per device (0: none)
  milliseconds delivery_timeout{10'000};
  milliseconds drain{5'000};              // after the last write, wait this long for deliveries
  std::size_t connect_concurrency = 256;  // handshakes in flight per thread
  std::size_t http_connections = 0;       // kept-alive write connections (0: automatic)
  std::size_t max_in_flight_per_user = 64;
  std::vector<std::string> source_ips;
  unsigned threads = 1;
  unsigned workers = 1;
  int server_pid = 0;
  std::string out_json, out_ndjson;
  bool quiet = false;
  breakpoint_plan breakpoint;
  chaos_plan chaos;
  std::string run_id;                     // prefix of user ids; random per run unless given
  std::vector<std::string> command_line;  // how this process was started (to start workers)
};

// The users × period the run writes at, all users active.
milliseconds effective_period(const load_options& o);
// Total run time: stages, or the duration.
milliseconds planned_duration(const load_options& o);
// Users at the peak of the plan.
std::size_t peak_users(const load_options& o);
// HTTP connections one shard (of users users) keeps to each node: its share of
// --http-connections, or one per user up to 64.
std::size_t http_connections_per_node(const load_options& o, std::size_t users);
// How long the run's tokens live: the plan and an hour.
std::chrono::seconds token_ttl(const load_options& o);
// Which --url each device of user g connects to: spread over them, or all on one.
std::vector<std::size_t> device_nodes(const load_options& o, std::size_t g);

// Multiplies every duration of the plan (duration, stages, breakpoint step, chaos time) by
// factor: quick versions of the scenarios (--scale 0.05).
void scale_durations(load_options& o, double factor);
// Multiplies the users of the plan (users, stage targets, breakpoint users step), rounded and
// never below 1 where there were users: small versions of the scenarios (--users-scale 0.1);
// the k6 scripts' USERS_SCALE means the same.
void scale_users(load_options& o, double factor);

// Loopback source addresses for runs with many connections per target when none are given:
// one per 7,000 connections of the run (connect() scans the address's ephemeral port range,
// which gets slow as it fills), at most 16; none for non-loopback targets or small runs.
std::vector<std::string> default_source_ips(const load_options& o);

// Empty when the options make a runnable plan, else what is wrong.
std::string check_options(const load_options& o);

}  // namespace archibald::load
