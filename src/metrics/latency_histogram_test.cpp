#include "metrics/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "metrics/prometheus_writer.hpp"

namespace archibald {
namespace {

double exact_quantile(std::vector<std::uint64_t> values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(q * values.size())));
  return static_cast<double>(values[rank - 1]);
}

TEST(LatencyHistogram, QuantilesWithinOnePercentOnRandomData) {
  std::mt19937_64 rng(12345);
  std::lognormal_distribution<double> dist(std::log(2000.0), 1.5);  // µs, long tail
  std::vector<std::uint64_t> values;
  latency_histogram h;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = std::min<std::uint64_t>(static_cast<std::uint64_t>(dist(rng)) + 1,
                                           latency_histogram::max_trackable_us);
    values.push_back(v);
    h.record_us(v);
  }
  for (const double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
    const double exact = exact_quantile(values, q);
    EXPECT_NEAR(h.quantile_us(q), exact, exact * 0.01) << "q=" << q;
  }
  EXPECT_EQ(h.count(), values.size());
  EXPECT_EQ(h.max_us(), *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(h.min_us(), *std::min_element(values.begin(), values.end()));
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  latency_histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record_us(v);
  EXPECT_EQ(h.quantile_us(0.5), 50);
  EXPECT_EQ(h.quantile_us(1.0), 100);
  EXPECT_DOUBLE_EQ(h.mean_us(), 50.5);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  latency_histogram a, b, all;
  for (std::uint64_t v = 1; v < 100'000; v += 7) {
    (v % 2 ? a : b).record_us(v);
    all.record_us(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.quantile_us(0.99), all.quantile_us(0.99));
  EXPECT_EQ(a.sum_us(), all.sum_us());
}

TEST(LatencyHistogram, PartsRoundTripExactlyAndRejectBadIndexes) {
  latency_histogram h, copy;
  for (std::uint64_t v = 3; v < 5'000'000; v = v * 3 / 2 + 1) h.record_us(v);
  ASSERT_TRUE(copy.add_parts(h.parts()));
  EXPECT_EQ(copy.count(), h.count());
  EXPECT_EQ(copy.sum_us(), h.sum_us());
  EXPECT_EQ(copy.min_us(), h.min_us());
  EXPECT_EQ(copy.max_us(), h.max_us());
  EXPECT_EQ(copy.quantile_us(0.999), h.quantile_us(0.999));
  latency_histogram::parts_type bad;
  bad.buckets.emplace_back(1'000'000u, 1u);
  EXPECT_FALSE(copy.add_parts(bad));
  EXPECT_EQ(copy.count(), h.count());
  EXPECT_TRUE(copy.add_parts(latency_histogram{}.parts()));
}

TEST(LatencyHistogram, ClampsHugeValuesAndIsEmptyAfterReset) {
  latency_histogram h;
  h.record(std::chrono::hours(2));
  EXPECT_EQ(h.max_us(), latency_histogram::max_trackable_us);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile_us(0.99), 0.0);
}

TEST(PrometheusWriter, WritesCumulativeHistogramBuckets) {
  latency_histogram h;
  h.record_us(300);     // 0.3 ms
  h.record_us(2'000);   // 2 ms
  h.record_us(40'000);  // 40 ms
  prometheus_writer w;
  w.counter("archibald_x_total", "X.", 3);
  w.histogram_seconds("archibald_rtt_seconds", "RTT.", h, {0.001, 0.01, 0.1});
  const std::string& t = w.text();
  EXPECT_NE(t.find("# TYPE archibald_x_total counter\narchibald_x_total 3\n"), std::string::npos);
  EXPECT_NE(t.find("archibald_rtt_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("archibald_rtt_seconds_bucket{le=\"0.01\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("archibald_rtt_seconds_bucket{le=\"0.1\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("archibald_rtt_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(t.find("archibald_rtt_seconds_count 3\n"), std::string::npos);
}

TEST(PrometheusWriter, SamplesReadBackByName) {
  prometheus_writer w;
  w.counter("archibald_x_total", "X.", 3);
  w.gauge("archibald_x", "Prefix of the other.", 2.5);
  EXPECT_EQ(prometheus_sample(w.text(), "archibald_x"), 2.5);
  EXPECT_EQ(prometheus_sample(w.text(), "archibald_x_total"), 3);
  EXPECT_EQ(prometheus_sample(w.text(), "archibald_y"), std::nullopt);
}

TEST(LatencyHistogram, CumulativeCountsInOnePassMatchTheSingleBoundOnes) {
  latency_histogram h;
  for (std::uint64_t v : {0u, 3u, 250u, 700u, 5'000u, 80'000u, 2'000'000u}) h.record_us(v);
  const std::vector<std::uint64_t> bounds = {0, 10, 500, 1'000, 100'000, 60'000'000};
  const auto counts = h.counts_at_or_below_us(bounds);
  ASSERT_EQ(counts.size(), bounds.size());
  for (std::size_t i = 0; i < bounds.size(); ++i)
    EXPECT_EQ(counts[i], h.count_at_or_below_us(bounds[i])) << bounds[i];
  EXPECT_EQ(counts.back(), 7u);
}

}  // namespace
}  // namespace archibald
