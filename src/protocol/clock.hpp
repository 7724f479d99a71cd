// Wall-clock helpers shared by the server, the client library and the load tool.
// Pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace archibald {

using wall_clock = std::chrono::system_clock;

// "2026-11-26T09:42:03.456Z": ISO-8601, UTC, millisecond precision (JavaScript's toISOString).
std::string iso8601_utc_ms(wall_clock::time_point t);

// Parses what iso8601_utc_ms and JavaScript's Date produce ("...Z" or "+hh:mm"; seconds
// fraction optional). Returns nullopt for anything else.
std::optional<wall_clock::time_point> parse_iso8601(std::string_view text);

inline std::int64_t epoch_ms(wall_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline std::int64_t epoch_s(wall_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace archibald
