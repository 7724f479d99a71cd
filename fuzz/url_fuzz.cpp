// Request targets: Boost.URL parsing, query parameters, percent-decoding, log redaction.
#include "fuzz_input.hpp"
#include "http/request_framing.hpp"
#include "http/url.hpp"

using namespace archibald;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target = fuzz::text(data, size);
  const auto parts = parse_target(target);
  const std::string logged = redact_target(target);
  if (parts) {
    fuzz::require(parts->path.empty() || parts->path.front() == '/', "path starts with /");
    fuzz::require(logged.rfind("[malformed", 0) != 0, "a parsed target is logged");
    if (const auto token = query_param(target, "token"); token && !token->empty())
      fuzz::require(logged.find("token=[REDACTED]") != std::string::npos,
                    "a token parameter is redacted");
  }
  percent_decode(target, true);
  percent_decode(target, false);
  looks_like_jwt(target);
  const std::string_view fields[] = {target};
  transfer_encoding_error(11, fields);
  return 0;
}
