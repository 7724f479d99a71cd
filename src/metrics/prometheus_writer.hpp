// Builds a Prometheus text exposition (format 0.0.4) one metric family at a time.
// Not thread-safe; build one per scrape.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/latency_histogram.hpp"

namespace archibald {

class prometheus_writer {
 public:
  static constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

  void counter(std::string_view name, std::string_view help, std::uint64_t value);
  void counter_seconds(std::string_view name, std::string_view help, double seconds);
  void gauge(std::string_view name, std::string_view help, double value);
  // One counter family with a label: name{label="key"} value, one sample per entry.
  void labelled_counters(std::string_view name, std::string_view help, std::string_view label,
                         const std::vector<std::pair<std::string, std::uint64_t>>& samples);
  // Cumulative buckets in seconds from a microsecond histogram.
  void histogram_seconds(std::string_view name, std::string_view help,
                         const latency_histogram& histogram,
                         std::initializer_list<double> bounds_seconds);
  // One histogram family with a label: name_bucket{label="key",le="…"}, one per entry.
  void labelled_histograms_seconds(
      std::string_view name, std::string_view help, std::string_view label,
      const std::vector<std::pair<std::string_view, latency_histogram>>& histograms,
      std::initializer_list<double> bounds_seconds);

  const std::string& text() const { return out_; }

 private:
  void header(std::string_view name, std::string_view help, std::string_view type);
  // labels: empty, or `key="value"` for every sample of this histogram.
  void histogram_samples(std::string_view name, std::string_view labels,
                         const latency_histogram& histogram,
                         std::initializer_list<double> bounds_seconds);
  std::string out_;
};

// The value of an unlabelled sample `name` in a text exposition (what the tools read back from
// a server's /metrics); nullopt when absent.
std::optional<double> prometheus_sample(std::string_view exposition, std::string_view name);

}  // namespace archibald
