#include "load/threshold.hpp"

#include <gtest/gtest.h>

namespace archibald::load {
namespace {

threshold parsed(std::string_view spec) {
  auto t = parse_threshold(spec);
  if (auto* e = std::get_if<std::string>(&t)) ADD_FAILURE() << spec << ": " << *e;
  return std::get<threshold>(t);
}

std::string error_of(std::string_view spec) {
  auto t = parse_threshold(spec);
  return std::holds_alternative<std::string>(t) ? std::get<std::string>(t) : "";
}

metric_table table_with_latency(std::initializer_list<std::uint64_t> values_us) {
  load_stats s;
  for (const auto v : values_us) s[trend::ws_e2e_latency].record_us(v);
  s[counter::writes] = 100;
  s[counter::writes_failed] = 1;
  s[counter::deliveries] = 199;
  s[counter::ws_connect_ok] = 99;
  s[counter::ws_connect_failed] = 1;
  return build_metric_table(s, 10.0, {});
}

TEST(Threshold, ParsesK6Expressions) {
  const auto t = parsed("ws_e2e_latency:p(95)<100");
  EXPECT_EQ(t.metric, "ws_e2e_latency");
  EXPECT_EQ(t.aggregate, "p(95)");
  EXPECT_EQ(t.comparison, threshold::op::less);
  EXPECT_EQ(t.bound, 100);
  EXPECT_EQ(parsed("checks:rate>0.99").comparison, threshold::op::greater);
  EXPECT_EQ(parsed("ws_msgs_lost:count==0").comparison, threshold::op::equal);
  EXPECT_EQ(parsed("ws_ping: avg <= 5 ").comparison, threshold::op::less_equal);
  EXPECT_EQ(parsed("ws_connecting:p(99.9)>=1").aggregate, "p(99.9)");
  EXPECT_EQ(parsed("users:value!=3").comparison, threshold::op::not_equal);
}

TEST(Threshold, RejectsWhatIsNotAThreshold) {
  EXPECT_NE(error_of("ws_e2e_latency"), "");
  EXPECT_NE(error_of("no_such_metric:p(95)<1").find("unknown metric"), std::string::npos);
  EXPECT_NE(error_of("ws_ping:p95<1").find("aggregate"), std::string::npos);
  EXPECT_NE(error_of("ws_ping:p(95)<abc").find("number"), std::string::npos);
  EXPECT_NE(error_of("ws_ping:p(95)=<1"), "");
  EXPECT_NE(error_of("ws_ping:p(97)<1").find("not reported"), std::string::npos);
  EXPECT_NE(error_of("ws_ping:p(0)<1"), "");
  EXPECT_NE(error_of("ws_ping:p(95)"), "");
}

TEST(Threshold, EvaluatesAgainstTheRunsMetrics) {
  const auto table = table_with_latency({1000, 2000, 3000, 4000, 50'000});  // µs
  EXPECT_TRUE(evaluate(parsed("ws_e2e_latency:p(50)<3.1"), table).ok);
  EXPECT_FALSE(evaluate(parsed("ws_e2e_latency:p(99)<40"), table).ok);
  EXPECT_NEAR(*evaluate(parsed("ws_e2e_latency:max<1"), table).observed, 50.0, 0.5);
  EXPECT_TRUE(evaluate(parsed("ws_connection_success:rate>=0.99"), table).ok);
  EXPECT_FALSE(evaluate(parsed("ws_connection_success:rate>0.99"), table).ok);
  EXPECT_TRUE(evaluate(parsed("checks:rate>0.99"), table).ok);  // 298 of 299
  EXPECT_TRUE(evaluate(parsed("writes:count==100"), table).ok);
  EXPECT_TRUE(evaluate(parsed("writes:rate==10"), table).ok);  // per second over 10 s
  EXPECT_TRUE(evaluate(parsed("http_req_failed:rate<0.02"), table).ok);
}

TEST(Threshold, ATrendWithoutSamplesFails) {
  const auto table = table_with_latency({});
  const auto r = evaluate(parsed("ws_e2e_latency:p(95)<100"), table);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.observed.has_value());
}

}  // namespace
}  // namespace archibald::load
