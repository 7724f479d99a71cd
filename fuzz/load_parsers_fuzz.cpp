// The load tool's parsers of what its user types: thresholds, durations, stages, target URLs,
// source addresses, scenario files.
#include <variant>

#include "fuzz_input.hpp"
#include "load/load_options.hpp"
#include "load/scenario.hpp"
#include "load/threshold.hpp"
#include "protocol/duration.hpp"

using namespace archibald;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::text(data, size);
  parse_duration(input);
  load::parse_stage(input);
  load::parse_threshold(input);
  const auto colon = input.find(':');
  if (colon != std::string_view::npos)
    load::parse_threshold(input.substr(0, colon), input.substr(colon + 1));
  std::string error;
  if (const auto url = load::parse_target_url(input, error))
    fuzz::require(url->port != 0 && !url->host.empty(), "a parsed url has a host and a port");
  load::parse_source_ips(input, error);
  load::load_options options;
  load::apply_scenario(input, options);
  return 0;
}
