#include "metrics/prometheus_writer.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace archibald {
namespace {

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

}  // namespace

void prometheus_writer::header(std::string_view name, std::string_view help,
                               std::string_view type) {
  out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void prometheus_writer::counter(std::string_view name, std::string_view help, std::uint64_t value) {
  header(name, help, "counter");
  out_.append(name).append(" ").append(std::to_string(value)).append("\n");
}

void prometheus_writer::counter_seconds(std::string_view name, std::string_view help,
                                        double value) {
  header(name, help, "counter");
  out_.append(name).append(" ").append(format_number(value)).append("\n");
}

void prometheus_writer::labelled_counters(
    std::string_view name, std::string_view help, std::string_view label,
    const std::vector<std::pair<std::string, std::uint64_t>>& samples) {
  header(name, help, "counter");
  for (const auto& [key, value] : samples) {
    out_.append(name).append("{").append(label).append("=\"").append(key).append("\"} ");
    out_.append(std::to_string(value)).append("\n");
  }
}

void prometheus_writer::gauge(std::string_view name, std::string_view help, double value) {
  header(name, help, "gauge");
  out_.append(name).append(" ").append(format_number(value)).append("\n");
}

void prometheus_writer::histogram_seconds(std::string_view name, std::string_view help,
                                          const latency_histogram& h,
                                          std::initializer_list<double> bounds_seconds) {
  header(name, help, "histogram");
  histogram_samples(name, {}, h, bounds_seconds);
}

void prometheus_writer::labelled_histograms_seconds(
    std::string_view name, std::string_view help, std::string_view label,
    const std::vector<std::pair<std::string_view, latency_histogram>>& histograms,
    std::initializer_list<double> bounds_seconds) {
  header(name, help, "histogram");
  for (const auto& [key, h] : histograms)
    histogram_samples(name, std::string(label) + "=\"" + std::string(key) + "\"", h,
                      bounds_seconds);
}

void prometheus_writer::histogram_samples(std::string_view name, std::string_view labels,
                                          const latency_histogram& h,
                                          std::initializer_list<double> bounds_seconds) {
  const std::string bucket_labels =
      labels.empty() ? "{le=\"" : "{" + std::string(labels) + ",le=\"";
  const auto bucket = [&](std::string_view bound, std::uint64_t count) {
    out_.append(name).append("_bucket").append(bucket_labels).append(bound).append("\"} ");
    out_.append(std::to_string(count)).append("\n");
  };
  std::vector<std::uint64_t> bounds_us;
  for (const double bound : bounds_seconds)
    bounds_us.push_back(static_cast<std::uint64_t>(std::llround(bound * 1e6)));
  const auto counts = h.counts_at_or_below_us(bounds_us);
  std::size_t k = 0;
  for (const double bound : bounds_seconds) bucket(format_number(bound), counts[k++]);
  bucket("+Inf", h.count());
  const std::string plain_labels = labels.empty() ? "" : "{" + std::string(labels) + "}";
  out_.append(name).append("_sum").append(plain_labels).append(" ");
  out_.append(format_number(h.sum_us() / 1e6)).append("\n");
  out_.append(name).append("_count").append(plain_labels).append(" ");
  out_.append(std::to_string(h.count())).append("\n");
}

std::optional<double> prometheus_sample(std::string_view exposition, std::string_view name) {
  for (std::size_t at = exposition.find(name); at != std::string_view::npos;
       at = exposition.find(name, at + 1)) {
    const std::size_t end = at + name.size();
    const bool line_start = at == 0 || exposition[at - 1] == '\n';
    if (!line_start || end >= exposition.size() || exposition[end] != ' ') continue;
    const std::string value(exposition.substr(end + 1, exposition.find('\n', end) - end - 1));
    char* parsed_end = nullptr;
    const double v = std::strtod(value.c_str(), &parsed_end);
    if (parsed_end != value.c_str()) return v;
  }
  return std::nullopt;
}

}  // namespace archibald
