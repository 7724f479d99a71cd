#include "protocol/duration.hpp"

#include <charconv>
#include <cstdint>

namespace archibald {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total_ms = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), number);
    if (ec != std::errc{} || number < 0) return std::nullopt;
    pos = static_cast<std::size_t>(end - text.data());
    std::size_t unit_end = pos;
    while (unit_end < text.size() && text[unit_end] >= 'a' && text[unit_end] <= 'z') ++unit_end;
    const std::string_view unit = text.substr(pos, unit_end - pos);
    std::int64_t scale;
    if (unit.empty()) {
      if (unit_end != text.size() || pos != text.size() || total_ms != 0) return std::nullopt;
      scale = 1000;  // a bare number is seconds
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else if (unit == "d") {
      scale = 86'400'000;
    } else {
      return std::nullopt;
    }
    if (number > INT64_MAX / scale || total_ms > INT64_MAX - number * scale) return std::nullopt;
    total_ms += number * scale;
    pos = unit_end;
  }
  return std::chrono::milliseconds{total_ms};
}

}  // namespace archibald
