// A log-linear histogram of durations (HdrHistogram's layout): exact below 256 µs, then 128
// linear sub-buckets per power of two, so any recorded value is reported within 0.4 % (the
// bucket's midpoint) from 1 µs to 60 s, in fixed memory (~22 KB).
// Not thread-safe: keep one per thread and merge(), or guard it. Shared by the server (ping
// round trips) and the load tool (end-to-end latency).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace archibald {

class latency_histogram {
 public:
  static constexpr std::uint64_t max_trackable_us = 60'000'000;

  void record(std::chrono::nanoseconds value);
  void record_us(std::uint64_t micros);
  void merge(const latency_histogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  // All in microseconds; 0 when empty. q in [0, 1].
  double quantile_us(double q) const;
  double mean_us() const { return count_ ? static_cast<double>(sum_us_) / count_ : 0.0; }
  std::uint64_t min_us() const { return count_ ? min_us_ : 0; }
  std::uint64_t max_us() const { return max_us_; }
  std::uint64_t sum_us() const { return sum_us_; }
  // Number of recorded values <= bound_us (within the bucket resolution).
  std::uint64_t count_at_or_below_us(std::uint64_t bound_us) const;
  // The same for ascending bounds, in one pass over the buckets (a Prometheus histogram).
  std::vector<std::uint64_t> counts_at_or_below_us(const std::vector<std::uint64_t>& bounds) const;

  // The histogram as data, to move it between processes: the non-empty buckets and the
  // exact summary. from_parts(parts()) reproduces the histogram exactly.
  struct parts_type {
    std::vector<std::pair<std::uint32_t, std::uint64_t>> buckets;  // (index, count)
    std::uint64_t sum_us = 0, min_us = 0, max_us = 0;
  };
  parts_type parts() const;
  // False (and the histogram unchanged) when the parts do not describe a histogram.
  bool add_parts(const parts_type& parts);

 private:
  static constexpr int sub_bucket_bits = 8;                                // 256 exact values
  static constexpr std::size_t half_bucket = 1u << (sub_bucket_bits - 1);  // 128
  static constexpr int max_shift = 19;                                     // 2^26 µs > 60 s
  static constexpr std::size_t bucket_count = 2 * half_bucket + max_shift * half_bucket;

  static std::size_t index_of(std::uint64_t micros);
  static std::uint64_t lowest_of(std::size_t index);
  static std::uint64_t width_of(std::size_t index);

  std::array<std::uint64_t, bucket_count> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_us_ = 0;
  std::uint64_t min_us_ = UINT64_MAX;
  std::uint64_t max_us_ = 0;
};

}  // namespace archibald
