// ISO-8601 parsing (lastEventTs): whatever parses formats to text that parses to the same
// instant.
#include "fuzz_input.hpp"
#include "protocol/clock.hpp"

using namespace archibald;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = parse_iso8601(fuzz::text(data, size));
  if (!parsed) return 0;
  const std::string formatted = iso8601_utc_ms(*parsed);
  const auto again = parse_iso8601(formatted);
  fuzz::require(again.has_value(), "formatted time parses");
  fuzz::require(iso8601_utc_ms(*again) == formatted, "round trip");
  return 0;
}
