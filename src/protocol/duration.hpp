// Human durations on the command line and in scenario files: "500ms", "45s", "30m", "8h",
// "1d", or combinations such as "1m30s". A bare number means seconds. Pure; any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace archibald {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace archibald
