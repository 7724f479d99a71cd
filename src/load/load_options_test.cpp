#include "load/load_options.hpp"

#include <gtest/gtest.h>

#include "load/scenario.hpp"
#include "load/stage_plan.hpp"

namespace archibald::load {
namespace {

using namespace std::chrono_literals;

TEST(LoadOptions, TargetsAreLoopbackOrPrivateOnly) {
  std::string error;
  const auto url = parse_target_url("http://127.0.0.1:3000", error);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 3000);
  EXPECT_EQ(parse_target_url("http://localhost:8080/", error)->host, "127.0.0.1");
  EXPECT_TRUE(parse_target_url("http://10.200.0.2:3000", error));  // a network namespace
  EXPECT_FALSE(parse_target_url("http://8.8.8.8:3000", error));
  EXPECT_NE(error.find("refusing"), std::string::npos);
  EXPECT_FALSE(parse_target_url("ftp://127.0.0.1:3000", error));
  EXPECT_FALSE(url->tls);
  const auto secure = parse_target_url("https://127.0.0.1:3443", error);
  ASSERT_TRUE(secure);
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->port, 3443);
  EXPECT_TRUE(parse_target_url("wss://127.0.0.1", error)->tls);
  EXPECT_EQ(parse_target_url("wss://127.0.0.1", error)->port, 443);
  EXPECT_FALSE(parse_target_url("http://example.com:3000", error));
  EXPECT_FALSE(parse_target_url("http://127.0.0.1:0", error));
  EXPECT_FALSE(parse_target_url("http://127.0.0.1:70000", error));
  EXPECT_FALSE(parse_target_url("http://127.0.0.1:3x", error));
  EXPECT_FALSE(parse_target_url("http://user:pw@127.0.0.1:3000", error));
  EXPECT_FALSE(parse_target_url("http://127.0.0.1 :3000", error));
  EXPECT_EQ(parse_target_url("ws://127.0.0.1:3000/ws/realtime?x=1", error)->port, 3000);
  EXPECT_EQ(parse_target_url("http://127.0.0.1", error)->port, 80);
}

TEST(LoadOptions, SourceAddressRanges) {
  std::string error;
  const auto ips = parse_source_ips("127.0.0.1-127.0.0.4", error);
  ASSERT_TRUE(ips);
  EXPECT_EQ(*ips, (std::vector<std::string>{"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"}));
  EXPECT_EQ(parse_source_ips("127.0.0.9,127.0.1.1", error)->size(), 2u);
  EXPECT_FALSE(parse_source_ips("127.0.0.4-127.0.0.1", error));
  EXPECT_FALSE(parse_source_ips("10.0.0.1-10.0.0.2", error));
  EXPECT_FALSE(parse_source_ips("nonsense", error));
}

TEST(LoadOptions, ManyConnectionsSpreadOverLoopbackSources) {
  load_options o;
  o.users = 1000;
  EXPECT_TRUE(default_source_ips(o).empty());
  o.users = 9500;  // 19,000 connections to one address
  EXPECT_EQ(default_source_ips(o),
            (std::vector<std::string>{"127.0.0.1", "127.0.0.2", "127.0.0.3"}));
  o.workers = 3;  // workers share the machine's ports
  EXPECT_EQ(default_source_ips(o).size(), 3u);
  std::string error;
  o.urls = {*parse_target_url("http://10.200.0.2:3000", error)};
  EXPECT_TRUE(default_source_ips(o).empty());  // not a loopback target
}

TEST(LoadOptions, StagesRampLikeK6) {
  EXPECT_FALSE(parse_stage("30s"));
  EXPECT_FALSE(parse_stage("30x:10"));
  load_options o;
  o.stages = {*parse_stage("10s:100"), *parse_stage("1m:100"), *parse_stage("10s:0")};
  EXPECT_EQ(planned_duration(o), 80s);
  EXPECT_EQ(peak_users(o), 100u);
  const stage_plan plan(o);
  EXPECT_EQ(plan.target_at(0s), 0u);
  EXPECT_EQ(plan.target_at(5s), 50u);
  EXPECT_EQ(plan.target_at(30s), 100u);
  EXPECT_EQ(plan.target_at(75s), 50u);
  EXPECT_EQ(plan.target_at(80s), 0u);                          // over
  o.stages = {*parse_stage("0s:20"), *parse_stage("10s:20")};  // a step
  EXPECT_EQ(stage_plan(o).target_at(0s), 20u);
}

TEST(LoadOptions, ScalingShortensEveryDuration) {
  load_options o;
  o.duration = 60s;
  o.stages = {*parse_stage("60s:10"), *parse_stage("2m:10")};
  o.breakpoint.step = 30s;
  o.chaos.at = 20s;
  scale_durations(o, 0.05);
  EXPECT_EQ(o.duration, 3s);
  EXPECT_EQ(o.stages[0].duration, 3s);
  EXPECT_EQ(o.stages[1].duration, 6s);
  EXPECT_EQ(o.breakpoint.step, 1500ms);
  EXPECT_EQ(o.chaos.at, 1s);
  scale_durations(o, 0.01);
  EXPECT_EQ(o.breakpoint.step, 1s);  // a level lasts at least a second
}

TEST(LoadOptions, UsersScaleLikeK6) {
  load_options o;
  o.users = 1000;
  o.stages = {{10s, 5000}, {60s, 5000}, {10s, 0}};
  o.breakpoint.users_step = 1000;
  scale_users(o, 0.02);
  EXPECT_EQ(o.users, 20u);
  EXPECT_EQ(o.stages[0].target, 100u);
  EXPECT_EQ(o.stages[2].target, 0u);  // no users stays no users
  EXPECT_EQ(o.breakpoint.users_step, 20u);
  scale_users(o, 0.001);
  EXPECT_EQ(o.users, 1u);                // never below one user
  EXPECT_EQ(o.stages[0].duration, 10s);  // durations are --scale's
}

TEST(LoadOptions, ConstantUsersAndTheWriteRate) {
  load_options o;
  o.users = 50;
  o.duration = 30s;
  EXPECT_EQ(stage_plan(o).target_at(29s), 50u);
  EXPECT_EQ(effective_period(o), 1000ms);
  o.write_rate = 500;  // total per second → one write per user every 100 ms
  EXPECT_EQ(effective_period(o), 100ms);
  EXPECT_EQ(check_options(o), "");
  o.devices = 65;
  EXPECT_NE(check_options(o), "");
}

TEST(Scenario, EveryBuiltInScenarioIsRunnable) {
  ASSERT_GE(embedded_scenarios().size(), 8u);
  for (const auto name :
       {"tiers", "scale", "fanout", "storm", "spike", "soak", "breakpoint", "chaos"}) {
    std::string error;
    const auto text = scenario_text(name, error);
    ASSERT_EQ(error, "") << name;
    load_options o;
    EXPECT_EQ(apply_scenario(text, o), "") << name;
    if (o.chaos.at.count() > 0) o.chaos.kill_pid = 1;  // given on the command line
    EXPECT_EQ(check_options(o), "") << name;
    EXPECT_FALSE(o.description.empty()) << name;
  }
}

TEST(Scenario, SetsDefaultsAndRejectsNonsense) {
  load_options o;
  EXPECT_EQ(apply_scenario(R"({"users": 7, "devices": 3, "writeMode": "ws", "writePeriod": "250ms",
      "stages": [{"duration": "5s", "target": 7}],
      "thresholds": {"ws_e2e_latency": ["p(95)<100", "p(99)<150"]}})",
                           o),
            "");
  EXPECT_EQ(o.users, 7u);
  EXPECT_EQ(o.devices, 3u);
  EXPECT_EQ(o.mode, write_mode::ws);
  EXPECT_EQ(o.write_period, 250ms);
  EXPECT_EQ(o.stages.size(), 1u);
  EXPECT_EQ(o.thresholds.size(), 2u);
  EXPECT_NE(apply_scenario(R"({"writeMode": "carrier-pigeon"})", o), "");
  // Regression (fuzzing, load_parsers_fuzz): 8.3e16 seconds overflowed into milliseconds.
  EXPECT_NE(apply_scenario(R"({"writePeriod": 83333333333333332})", o), "");
  EXPECT_NE(apply_scenario(R"({"users": -1})", o), "");
  EXPECT_NE(apply_scenario(R"({"thresholds": {"nope": ["p(95)<1"]}})", o), "");
  EXPECT_NE(apply_scenario(R"({"stages": [{"duration": "5s"}]})", o), "");
  EXPECT_NE(apply_scenario("not json", o), "");
  std::string error;
  EXPECT_EQ(scenario_text("no-such", error), "");
  EXPECT_NE(error.find("tiers"), std::string::npos);  // lists what there is
}

}  // namespace
}  // namespace archibald::load
