#include "metrics/server_metrics.hpp"

#include <numeric>

namespace archibald {

void server_metrics::record_ping_rtt(std::chrono::nanoseconds rtt) {
  const double ms = std::chrono::duration<double, std::milli>(rtt).count();
  std::lock_guard lock(rtt_mutex_);
  rtt_histogram_.record(rtt);
  recent_ms_[recent_next_] = ms;
  recent_next_ = (recent_next_ + 1) % recent_size;
  if (recent_count_ < recent_size) ++recent_count_;
}

double server_metrics::average_latency_ms() const {
  std::lock_guard lock(rtt_mutex_);
  if (recent_count_ == 0) return 0.0;
  return std::accumulate(recent_ms_.begin(), recent_ms_.begin() + recent_count_, 0.0) /
         static_cast<double>(recent_count_);
}

void server_metrics::record_http_response(unsigned status) {
  if (status >= 500) {
    add(http_server_errors);
  } else if (status >= 400) {
    add(http_client_errors);
  }
  if (status >= first_status && status <= last_status) add(http_responses_[status - first_status]);
}

std::uint64_t server_metrics::http_responses(unsigned status) const {
  if (status < first_status || status > last_status) return 0;
  return read(http_responses_[status - first_status]);
}

latency_histogram server_metrics::ping_rtt_snapshot() const {
  std::lock_guard lock(rtt_mutex_);
  return rtt_histogram_;
}

}  // namespace archibald
