#include "load/metric_table.hpp"

#include <gtest/gtest.h>

namespace archibald::load {
namespace {

TEST(MetricTable, ServerCpuPerOperationDividesTheSteadyCpuByEachKindOfWork) {
  run_gauges gauges;
  gauges.steady = {.server_cpu_s = 0.6, .seconds = 2, .writes = 1500, .deliveries = 3000};
  const auto table = build_metric_table({}, 3, gauges);
  EXPECT_DOUBLE_EQ(*table.at("server_cpu_us_per_write").value("value"), 400);
  EXPECT_DOUBLE_EQ(*table.at("server_cpu_us_per_delivery").value("value"), 200);
  EXPECT_TRUE(is_known_metric("server_cpu_us_per_write"));  // a threshold may name it
}

TEST(MetricTable, NoSteadySecondOrNoServerSampleGivesNoFigure) {
  run_gauges gauges;
  gauges.steady = {.server_cpu_s = 0, .seconds = 0, .writes = 10, .deliveries = 20};
  const auto table = build_metric_table({}, 3, gauges);
  EXPECT_FALSE(table.contains("server_cpu_us_per_write"));
  EXPECT_FALSE(table.contains("server_cpu_us_per_delivery"));
}

TEST(MetricTable, HandshakesPerSecondAndTheirServerCpuComeFromTheConnectingSeconds) {
  run_gauges gauges;
  for (const double rate : {4000.0, 7500.0, 6500.0}) gauges.connects_per_s.sample(rate);
  gauges.connecting = {.server_cpu_s = 1.8, .connects = 18000};
  const auto table = build_metric_table({}, 3, gauges);
  EXPECT_DOUBLE_EQ(*table.at("ws_connects_per_second").value("max"), 7500);
  EXPECT_DOUBLE_EQ(*table.at("server_cpu_us_per_connect").value("value"), 100);
  EXPECT_TRUE(is_known_metric("ws_connects_per_second"));
  // A run whose connections all came with writes under way says nothing about a handshake.
  EXPECT_FALSE(build_metric_table({}, 3, run_gauges{}).contains("server_cpu_us_per_connect"));
}

TEST(MetricTable, EveryNodeHasItsOwnTrendsAndCountersAsK6SubMetrics) {
  load_stats total;
  total[counter::writes] = 30;
  total.node(0)[counter::writes] = 10;
  total.node(1)[counter::writes] = 20;
  total.node(1)[trend::ws_e2e_latency].record_us(2000);
  const auto table = build_metric_table(total, 10, run_gauges{});
  EXPECT_DOUBLE_EQ(*table.at("writes").value("count"), 30);
  EXPECT_DOUBLE_EQ(*table.at("writes{node:1}").value("count"), 20);
  EXPECT_DOUBLE_EQ(*table.at("ws_msgs_lost{node:0}").value("count"), 0);  // zero, not absent
  EXPECT_DOUBLE_EQ(*table.at("ws_e2e_latency{node:1}").value("max"), 2);
  EXPECT_EQ(node_metric("ws_drops", 2), "ws_drops{node:2}");
  EXPECT_TRUE(is_known_metric("ws_e2e_latency{node:2}"));
  EXPECT_TRUE(is_known_metric("ws_e2e_latency_cross_node"));
  EXPECT_FALSE(is_known_metric("ws_e2e_latency{node:x}"));
  EXPECT_FALSE(is_known_metric("checks{node:1}"));  // rates and gauges are not per node
  EXPECT_FALSE(is_known_metric("nope{node:1}"));
}

}  // namespace
}  // namespace archibald::load
