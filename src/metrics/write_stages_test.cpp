#include "metrics/write_stages.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "metrics/prometheus_writer.hpp"

namespace archibald {
namespace {

using namespace std::chrono_literals;

TEST(WriteStages, EachStageKeepsItsOwnSamples) {
  write_stage_timings t;
  t.record(write_stage::commit, 250us);
  t.record(write_stage::commit, 750us);
  t.record(write_stage::socket, 20us);
  EXPECT_EQ(t.snapshot(write_stage::commit).count(), 2u);
  EXPECT_EQ(t.snapshot(write_stage::commit).max_us(), 750u);
  EXPECT_EQ(t.snapshot(write_stage::socket).count(), 1u);
  EXPECT_EQ(t.snapshot(write_stage::handle).count(), 0u);
}

TEST(WriteStages, EveryStageHasADistinctName) {
  std::set<std::string_view> names;
  for (const write_stage s : write_stage_timings::all) names.insert(write_stage_timings::name(s));
  EXPECT_EQ(names.size(), write_stage_timings::stage_count);
  EXPECT_EQ(names.count("?"), 0u);
}

TEST(WriteStages, PrometheusHasOneLabelledHistogramPerStage) {
  latency_histogram commit, socket;
  commit.record(400us);
  socket.record(30us);
  socket.record(3ms);
  prometheus_writer w;
  w.labelled_histograms_seconds("archibald_write_stage_seconds", "Stages.", "stage",
                                {{"commit", commit}, {"socket", socket}}, {0.0001, 0.001});
  const std::string& t = w.text();
  EXPECT_NE(t.find("# TYPE archibald_write_stage_seconds histogram\n"), std::string::npos);
  EXPECT_NE(t.find("archibald_write_stage_seconds_bucket{stage=\"commit\",le=\"0.0001\"} 0\n"),
            std::string::npos);
  EXPECT_NE(t.find("archibald_write_stage_seconds_bucket{stage=\"commit\",le=\"0.001\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("archibald_write_stage_seconds_bucket{stage=\"socket\",le=\"0.0001\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("archibald_write_stage_seconds_bucket{stage=\"socket\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(t.find("archibald_write_stage_seconds_count{stage=\"socket\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("archibald_write_stage_seconds_sum{stage=\"commit\"} 0.0004\n"),
            std::string::npos);
  // The family's header once, not once per stage.
  EXPECT_EQ(t.find("# TYPE", t.find("# TYPE") + 1), std::string::npos);
}

}  // namespace
}  // namespace archibald
