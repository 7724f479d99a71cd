#include "load/driver/device_target.hpp"

#include "load/driver/client_tls.hpp"

#include <algorithm>
#include <string>

namespace archibald::load {

ws_async_target device_target(const load_options& options, const simulated_user& u,
                              std::size_t device) {
  const simulated_device& dev = u.devices[device];
  const auto& url = options.urls[u.tracker.node_of(device)];
  ws_async_target t;
  t.address = url.host;
  t.port = url.port;
  t.tls = client_tls(options, url);
  t.target = "/ws/realtime?token=" + dev.token + "&deviceId=dev" + std::to_string(device);
  // A device that was connected resumes after the last event it saw — from 0 when it saw
  // none yet: the user's log holds only this run's events, all of which it should get.
  if (dev.opened_before)
    t.target += "&lastSeq=" + std::to_string(u.tracker.last_seq(device).value_or(0));
  return t;
}

std::chrono::milliseconds reconnect_delay(unsigned attempts, std::minstd_rand& rng) {
  const auto base = std::min<std::int64_t>(100LL << std::min(attempts, 6u), 5000);
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base) * jitter(rng)));
}

}  // namespace archibald::load
