// Where and how a simulated device connects: its node's WebSocket URL with its token and
// device id, lastSeq when it resumes, and when it tries again after a failure. Pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <random>

#include "client/ws_async.hpp"
#include "load/driver/simulated_user.hpp"
#include "load/load_options.hpp"

namespace archibald::load {

ws_async_target device_target(const load_options& options, const simulated_user& u,
                              std::size_t device);

// Exponential backoff with jitter before attempt `attempts` + 1: 100 ms, 200 ms ... 5 s, each
// × [0.5, 1.5).
std::chrono::milliseconds reconnect_delay(unsigned attempts, std::minstd_rand& rng);

}  // namespace archibald::load
