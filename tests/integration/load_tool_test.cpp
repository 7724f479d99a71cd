// archibald-load against real servers: the real one (no loss, every write mode, workers,
// chaos), a deliberately lossy one (exactly the loss it causes), and its exit codes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_pki.hpp"

namespace archibald::testing {
namespace {

namespace json = boost::json;

struct tool_run {
  int exit_code = -1;
  std::string output;
  json::object summary;

  double value(const std::string& metric, const std::string& key) const {
    return summary.at("metrics").at(metric).at("values").at(key).to_number<double>();
  }
  double count(const std::string& metric) const { return value(metric, "count"); }
};

std::string quoted(const std::string& arg) {
  std::string out = "'";
  for (const char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs archibald-load with the arguments (plus --quiet and a JSON summary file).
tool_run run_load(const std::vector<std::string>& args) {
  char path[] = "/tmp/archibald-load-test-XXXXXX";
  ::close(::mkstemp(path));
  std::string command = std::string(ARCHIBALD_LOAD_BIN) + " --quiet --out json=" + path;
  for (const auto& a : args) command += " " + quoted(a);
  command += " 2>&1";
  tool_run r;
  std::FILE* p = ::popen(command.c_str(), "r");
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  ::unlink(path);
  boost::system::error_code ec;
  const auto doc = json::parse(text.str(), ec);
  if (!ec && doc.is_object()) r.summary = doc.get_object();
  return r;
}

std::string url_of(std::uint16_t port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

std::vector<std::string> base_args(std::uint16_t port, const std::string& users,
                                   const std::string& duration) {
  // Generous timeouts: a busy CI machine may be slow, never lossy. The drain ends as soon as
  // nothing is pending.
  return {"--url",     url_of(port), "--secret",           test_secret, "--users",        users,
          "--devices", "2",          "--duration",         duration,    "--write-period", "200ms",
          "--drain",   "20s",        "--delivery-timeout", "30s"};
}

TEST(LoadTool, RestRunAgainstTheRealServerLosesNothing) {
  server_process server;
  auto args = base_args(server.port(), "10", "4s");
  args.insert(args.end(),
              {"--threshold", "ws_msgs_lost:count==0", "--threshold", "ws_e2e_latency:p(99)<2000",
               "--server-pid", std::to_string(server.pid())});
  const auto r = run_load(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const double writes = r.count("writes");
  EXPECT_GE(writes, 140);  // 10 users × 5/s × 4 s = 200 planned
  EXPECT_EQ(r.count("writes_failed"), 0);
  EXPECT_EQ(r.count("ws_msgs_lost"), 0);
  EXPECT_EQ(r.count("ws_msgs_duplicated"), 0);
  EXPECT_EQ(r.count("deliveries"), 2 * writes);  // both devices of the writing user
  EXPECT_EQ(r.value("ws_connection_success", "rate"), 1.0);
  EXPECT_GT(r.value("ws_e2e_latency", "p(99)"), 0);
  EXPECT_GT(r.value("server_rss_bytes", "max"), 1e6);  // sampled from /proc/<pid>
  // The server's CPU over the steady seconds (after the first two), per write and per delivery:
  // the same CPU, twice the deliveries.
  const double per_write = r.value("server_cpu_us_per_write", "value");
  EXPECT_GT(per_write, 0);
  EXPECT_NEAR(r.value("server_cpu_us_per_delivery", "value") * 2, per_write, per_write * 0.25);
  EXPECT_TRUE(r.summary.at("state").at("thresholdsPassed").as_bool());
  EXPECT_TRUE(r.summary.at("metrics")
                  .at("ws_msgs_lost")
                  .at("thresholds")
                  .at("count==0")
                  .at("ok")
                  .as_bool());
  EXPECT_NE(r.output.find("✓ 'count==0'"), std::string::npos) << r.output;
}

TEST(LoadTool, HttpsAndWssRunsVerifyTheServerAndLoseNothing) {
  test_pki pki;
  server_process server({{"TLS_CERT", pki.cert}, {"TLS_KEY", pki.key}});
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  for (const std::string mode : {"rest", "ws"}) {
    auto args = base_args(server.port(), "5", "2s");
    args[1] = url;
    args.insert(args.end(), {"--ca", pki.ca_cert, "--write-mode", mode, "--threshold",
                             "ws_msgs_lost:count==0"});
    const auto r = run_load(args);
    ASSERT_EQ(r.exit_code, 0) << mode << r.output;
    EXPECT_GE(r.count("writes"), 20) << mode;
    EXPECT_EQ(r.count("writes_failed"), 0) << mode;
    EXPECT_EQ(r.count("deliveries"), 2 * r.count("writes")) << mode;
    EXPECT_EQ(r.value("ws_connection_success", "rate"), 1.0) << mode;
  }
  // Without the CA the certificate is not trusted: every connection fails; --insecure skips it.
  auto untrusted = base_args(server.port(), "2", "1s");
  untrusted[1] = url;
  const auto refused = run_load(untrusted);
  EXPECT_EQ(refused.value("ws_connection_success", "rate"), 0.0) << refused.output;
  EXPECT_NE(refused.output.find("certificate verify failed"), std::string::npos) << refused.output;
  untrusted.push_back("--insecure");
  EXPECT_EQ(run_load(untrusted).value("ws_connection_success", "rate"), 1.0);
}

TEST(LoadTool, WebSocketAndPublishWritesAreTrackedToEveryDevice) {
  server_process server;
  for (const std::string mode : {"ws", "publish"}) {
    auto args = base_args(server.port(), "5", "2s");
    args.insert(args.end(), {"--write-mode", mode, "--devices", "3"});
    const auto r = run_load(args);
    ASSERT_EQ(r.exit_code, 0) << mode << r.output;
    EXPECT_GE(r.count("writes"), 30) << mode;
    EXPECT_EQ(r.count("ws_msgs_lost"), 0) << mode;
    EXPECT_EQ(r.count("deliveries"), 3 * r.count("writes")) << mode;
  }
}

// archibald_lossy_server on a free port, stopped with the test.
struct lossy_server {
  std::uint16_t port = free_loopback_port();
  pid_t pid = -1;

  lossy_server(const char* drop_every, const char* deaf_first) {
    pid = ::fork();
    if (pid == 0) {
      ::execl(ARCHIBALD_LOSSY_SERVER_BIN, ARCHIBALD_LOSSY_SERVER_BIN, std::to_string(port).c_str(),
              test_secret, drop_every, deaf_first, nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 200 && http_request("127.0.0.1", port, "GET", "/").status == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~lossy_server() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

TEST(LoadTool, ReportsExactlyTheLossOfALossyServer) {
  lossy_server server("10", "0");
  const auto port = server.port;
  auto args = base_args(port, "4", "3s");
  args.insert(args.end(),
              {"--write-mode", "publish", "--write-period", "100ms", "--delivery-timeout", "5s",
               "--drain", "6s", "--threshold", "ws_msgs_lost:count==0"});
  const auto r = run_load(args);
  const auto dropped = http_request("127.0.0.1", port, "GET", "/dropped");
  EXPECT_EQ(r.exit_code, 99) << r.output;  // the loss threshold fails
  const double writes = r.count("writes");
  ASSERT_GE(writes, 100);
  // Each user's seq 10, 20, ... went to none of its 2 devices: about a tenth of everything,
  // and exactly what the server says it withheld.
  const double lost = r.count("ws_msgs_lost");
  ASSERT_EQ(dropped.status, 200);
  EXPECT_EQ(lost, std::stod(dropped.body));
  EXPECT_NEAR(lost, 2 * writes / 10, 8);
  EXPECT_EQ(lost + r.count("deliveries"), 2 * writes);
  EXPECT_GT(r.count("ws_seq_gaps"), 0);  // seq 10 and 20 of each user, seen from seq 11, 21
  EXPECT_EQ(r.count("ws_msgs_duplicated"), 0);
}

TEST(LoadTool, AServerDeafUntilItsTokenCheckEndsStillGetsEveryDeviceConnected) {
  // The Node original checks the token after the upgrade and ignores what comes before: the
  // first "ping" of a device goes unanswered. The device asks again; every user writes.
  lossy_server server("1000000", "1");
  auto args = base_args(server.port, "5", "3s");
  args.insert(args.end(), {"--write-mode", "publish", "--threshold", "ws_msgs_lost:count==0"});
  const auto r = run_load(args);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.count("ws_connect_ok"), 10);
  EXPECT_EQ(r.value("connections", "max"), 10);
  EXPECT_GE(r.count("writes"), 5 * 5 * 1.5);  // every user wrote (5/s for 3 s less the asking)
  EXPECT_EQ(r.count("deliveries"), 2 * r.count("writes"));
}

TEST(LoadTool, ConnectionsTheServerRefusesAfterTheUpgradeAreFailedConnections) {
  // With one connection per user, each user's second device is upgraded and closed with 1013;
  // with a wrong secret every device is upgraded and closed with 1008. Neither is a connection.
  server_process limited({{"MAX_CONNECTIONS_PER_USER", "1"}});
  auto args = base_args(limited.port(), "3", "2s");
  args.insert(args.end(), {"--drain", "1s", "--threshold", "ws_connection_success:rate>0.99"});
  const auto r = run_load(args);
  EXPECT_EQ(r.exit_code, 99) << r.output;
  EXPECT_EQ(r.value("connections", "max"), 3);  // one device per user
  EXPECT_GE(r.count("ws_connect_failed"), 3);
  EXPECT_LT(r.value("ws_connection_success", "rate"), 0.99);
  EXPECT_NE(r.output.find("ws refused by the server: 1013"), std::string::npos) << r.output;

  server_process server;
  auto wrong = base_args(server.port(), "2", "1s");
  wrong[3] = "not-the-server-secret";  // after --secret
  const auto refused = run_load(wrong);
  EXPECT_EQ(refused.count("ws_connect_ok"), 0) << refused.output;
  EXPECT_GE(refused.count("ws_connect_failed"), 4);
  EXPECT_NE(refused.output.find("ws refused by the server: 1008"), std::string::npos);
}

TEST(LoadTool, ExitCodes) {
  server_process server;
  auto failing = base_args(server.port(), "2", "1s");
  failing.insert(failing.end(), {"--threshold", "ws_e2e_latency:p(95)<0.001"});
  const auto r = run_load(failing);
  EXPECT_EQ(r.exit_code, 99) << r.output;
  EXPECT_NE(r.output.find("✗ 'p(95)<0.001'"), std::string::npos) << r.output;
  EXPECT_FALSE(r.summary.at("state").at("thresholdsPassed").as_bool());

  EXPECT_EQ(run_load({"--url", url_of(server.port()), "--threshold", "nope:p(95)<1"}).exit_code, 2);
  EXPECT_EQ(run_load({"--url", url_of(server.port()), "--threshold", "ws_ping:p95<1"}).exit_code,
            2);
  EXPECT_EQ(run_load({"--url", "http://8.8.8.8:80"}).exit_code, 2);  // never a foreign target
  EXPECT_EQ(run_load({"--scenario", "no-such-scenario"}).exit_code, 2);
  EXPECT_EQ(run_load({"--url", url_of(server.port()), "--stage", "30s"}).exit_code, 2);
}

TEST(LoadTool, StagesRampUsersUpAndDown) {
  server_process server;
  const auto r = run_load({"--url",
                           url_of(server.port()),
                           "--secret",
                           test_secret,
                           "--devices",
                           "2",
                           "--write-period",
                           "200ms",
                           "--stage",
                           "1s:20",
                           "--stage",
                           "2s:20",
                           "--stage",
                           "0s:5",
                           "--stage",
                           "2s:5",
                           "--stage",
                           "0s:0",
                           "--stage",
                           "2s:0",
                           "--threshold",
                           "ws_msgs_lost:count==0",
                           "--delivery-timeout",
                           "30s"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.value("users", "max"), 20);
  EXPECT_EQ(r.value("connections", "max"), 40);
  EXPECT_EQ(r.value("users", "value"), 0);        // all left by the end
  EXPECT_EQ(r.value("connections", "value"), 0);  // and closed their devices
  EXPECT_EQ(r.count("ws_connect_ok"), 40);
  // Every accepted write reached both devices of its user (a refused one is not expected).
  EXPECT_EQ(r.count("deliveries"), 2 * (r.count("writes") - r.count("writes_failed")));
  EXPECT_EQ(r.count("ws_msgs_lost"), 0);
  EXPECT_GT(r.count("writes"), 100);
}

TEST(LoadTool, BreakpointStepsTheRateAndReportsTheCurve) {
  server_process server;
  const std::string scenario = "/tmp/archibald-breakpoint-" + std::to_string(::getpid()) + ".json";
  std::ofstream(scenario) << R"({"users": 10, "devices": 2, "writeMode": "ws",
      "breakpoint": {"step": "1s", "rateStart": 20, "rateStep": 30, "maxLevels": 3,
                     "thresholds": {"ws_e2e_latency": ["p(95)<5000"]}}})";
  const auto r = run_load({"--url", url_of(server.port()), "--secret", test_secret, "--scenario",
                           scenario, "--drain", "2s"});
  std::filesystem::remove(scenario);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& curve = r.summary.at("breakpoint").as_array();
  ASSERT_EQ(curve.size(), 3u) << r.output;
  for (std::size_t i = 0; i < curve.size(); ++i) {
    const auto& level = curve[i].as_object();
    EXPECT_TRUE(level.at("ok").as_bool());
    EXPECT_EQ(level.at("targetRate").to_number<double>(), 20.0 + 30.0 * i);
    const double target = 20.0 + 30.0 * i;  // open loop: late writes still count
    EXPECT_NEAR(level.at("writesPerSecond").to_number<double>(), target, 5 + 0.3 * target);
  }
  EXPECT_NE(r.output.find("last passing (stepping rate): level 2"), std::string::npos) << r.output;
}

TEST(LoadTool, WorkersMergeIntoOneSummary) {
  server_process server;
  auto args = base_args(server.port(), "9", "2s");
  args.insert(args.end(), {"--workers", "3"});
  const auto r = run_load(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.value("connections", "max"), 18);
  EXPECT_EQ(r.value("ws_connect_ok", "count"), 18);
  EXPECT_GE(r.count("writes"), 60);
  EXPECT_EQ(r.count("deliveries"), 2 * (r.count("writes") - r.count("writes_failed")));
  EXPECT_EQ(r.count("ws_msgs_lost"), 0);
}

// Kills the server `at` into a run and restarts it on the same port and database; returns
// the tool's run. Devices must resume without loss whether or not they had seen an event.
tool_run chaos_run(const std::string& users, const std::string& period, const std::string& at,
                   const std::string& duration) {
  char dir[] = "/tmp/archibald-chaos-XXXXXX";
  EXPECT_NE(::mkdtemp(dir), nullptr);
  const std::string db = std::string(dir) + "/realtime.db";
  const std::string pid_file = std::string(dir) + "/restarted.pid";
  server_process server({{"DB_PATH", db}, {"SYNC_MODE", "full"}});
  // The restart: the same binary, port and database, in the background; its pid is kept.
  const std::string restart = "HOST=127.0.0.1 PORT=" + std::to_string(server.port()) +
                              " JWT_SECRET=" + test_secret + " DB_PATH=" + db +
                              " SYNC_MODE=full LOG_LEVEL=warn exec " + ARCHIBALD_SERVER_BIN +
                              " >/dev/null 2>&1 & echo $! > " + pid_file;
  auto args = base_args(server.port(), users, duration);
  args.insert(args.end(),
              {"--write-period", period, "--chaos-kill-pid", std::to_string(server.pid()),
               "--chaos-at", at, "--chaos-restart", restart, "--chaos-restart-delay", "500ms",
               "--delivery-timeout", "20s", "--drain", "20s", "--threshold",
               "ws_msgs_lost:count==0", "--threshold", "ws_msgs_duplicated:count==0"});
  auto r = run_load(args);
  std::ifstream pid_in(pid_file);
  pid_t restarted = 0;
  pid_in >> restarted;
  if (restarted > 0) ::kill(restarted, SIGKILL);
  std::filesystem::remove_all(dir);
  EXPECT_GT(restarted, 0) << r.output;
  return r;
}

TEST(LoadTool, ChaosKillAndRestartLosesAndDuplicatesNothing) {
  const auto r = chaos_run("20", "100ms", "2s", "5s");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GE(r.count("ws_drops"), 40);       // every device saw the server die
  EXPECT_GE(r.count("ws_reconnects"), 40);  // and came back (with lastSeq)
  EXPECT_GT(r.count("deliveries"), 0);
  EXPECT_EQ(r.count("ws_msgs_lost"), 0);
  EXPECT_EQ(r.count("ws_msgs_duplicated"), 0);
  EXPECT_EQ(r.count("ws_seq_gaps"), 0);
  EXPECT_FALSE(r.summary.at("errors").as_object().empty());  // why: the drops, the refusals
}

// Killed before most devices saw any event: they resume from seq 0, and what was written
// while they were away still reaches them.
TEST(LoadTool, ChaosBeforeTheFirstEventsLosesNothing) {
  // Writes every 4 s, spread over the period: at the kill (1 s) most users have no event yet,
  // and every device is connected even on a busy machine (at 300 ms some were not, and came
  // back as first connections rather than reconnections).
  const auto r = chaos_run("40", "4s", "1s", "6s");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GE(r.count("ws_reconnects"), 80);
  EXPECT_GT(r.count("deliveries"), 40);
  EXPECT_EQ(r.count("ws_msgs_lost"), 0);
  EXPECT_EQ(r.count("ws_msgs_duplicated"), 0);
}

}  // namespace
}  // namespace archibald::testing
