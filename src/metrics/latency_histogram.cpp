#include "metrics/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace archibald {

std::size_t latency_histogram::index_of(std::uint64_t v) {
  if (v < 2 * half_bucket) return static_cast<std::size_t>(v);
  const int shift = std::bit_width(v) - sub_bucket_bits;  // >= 1
  const std::uint64_t top = v >> shift;                   // [128, 256)
  const std::size_t index = 2 * half_bucket + static_cast<std::size_t>(shift - 1) * half_bucket +
                            static_cast<std::size_t>(top - half_bucket);
  return std::min(index, bucket_count - 1);
}

std::uint64_t latency_histogram::lowest_of(std::size_t index) {
  if (index < 2 * half_bucket) return index;
  const std::size_t rel = index - 2 * half_bucket;
  const int shift = static_cast<int>(rel / half_bucket) + 1;
  return (half_bucket + rel % half_bucket) << shift;
}

std::uint64_t latency_histogram::width_of(std::size_t index) {
  if (index < 2 * half_bucket) return 1;
  return std::uint64_t{1} << ((index - 2 * half_bucket) / half_bucket + 1);
}

void latency_histogram::record(std::chrono::nanoseconds value) {
  const auto ns = value.count();
  record_us(ns <= 0 ? 0 : static_cast<std::uint64_t>((ns + 500) / 1000));
}

void latency_histogram::record_us(std::uint64_t v) {
  v = std::min(v, max_trackable_us);
  ++buckets_[index_of(v)];
  ++count_;
  sum_us_ += v;
  min_us_ = std::min(min_us_, v);
  max_us_ = std::max(max_us_, v);
}

void latency_histogram::merge(const latency_histogram& other) {
  for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_us_ += other.sum_us_;
  min_us_ = std::min(min_us_, other.min_us_);
  max_us_ = std::max(max_us_, other.max_us_);
}

void latency_histogram::reset() {
  *this = latency_histogram{};
}

double latency_histogram::quantile_us(double q) const {
  if (count_ == 0) return 0.0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const double mid = static_cast<double>(lowest_of(i)) + (width_of(i) - 1) / 2.0;
      return std::clamp(mid, static_cast<double>(min_us_), static_cast<double>(max_us_));
    }
  }
  return static_cast<double>(max_us_);
}

std::uint64_t latency_histogram::count_at_or_below_us(std::uint64_t bound_us) const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < bucket_count && lowest_of(i) <= bound_us; ++i) total += buckets_[i];
  return total;
}

std::vector<std::uint64_t> latency_histogram::counts_at_or_below_us(
    const std::vector<std::uint64_t>& bounds) const {
  std::vector<std::uint64_t> out;
  out.reserve(bounds.size());
  std::uint64_t total = 0;
  std::size_t i = 0;
  for (const std::uint64_t bound : bounds) {
    for (; i < bucket_count && lowest_of(i) <= bound; ++i) total += buckets_[i];
    out.push_back(total);
  }
  return out;
}

latency_histogram::parts_type latency_histogram::parts() const {
  parts_type out;
  for (std::size_t i = 0; i < bucket_count; ++i)
    if (buckets_[i] != 0) out.buckets.emplace_back(static_cast<std::uint32_t>(i), buckets_[i]);
  out.sum_us = sum_us_;
  out.min_us = min_us();
  out.max_us = max_us_;
  return out;
}

bool latency_histogram::add_parts(const parts_type& parts) {
  std::uint64_t count = 0;
  for (const auto& [index, n] : parts.buckets) {
    if (index >= bucket_count) return false;
    count += n;
  }
  if (count == 0) return parts.buckets.empty();
  for (const auto& [index, n] : parts.buckets) buckets_[index] += n;
  count_ += count;
  sum_us_ += parts.sum_us;
  min_us_ = std::min(min_us_, parts.min_us);
  max_us_ = std::max(max_us_, parts.max_us);
  return true;
}

}  // namespace archibald
