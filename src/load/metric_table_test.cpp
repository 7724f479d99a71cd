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

}  // namespace
}  // namespace archibald::load
