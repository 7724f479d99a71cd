// Request targets, parsed by Boost.URL (a maintained, upstream-fuzzed parser): path / query
// split, query parameters, percent-decoding, and the redaction of secrets for logs.
// Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace archibald {

struct target_parts {
  std::string_view path;   // still percent-encoded
  std::string_view query;  // without the '?', still percent-encoded
};

// A request target in origin-form ("/path?query") or absolute-form ("http://host/path?query",
// RFC 9112 §3.2.2); nullopt when it is neither (bad characters, bad escapes, ...).
std::optional<target_parts> parse_target(std::string_view target);

// Decodes %XX escapes (and '+' as a space in query strings); nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// The percent-decoded value ('+' is a space) of the first query parameter of a request target
// whose name is exactly `name` as sent (an encoded name such as "%74oken" is another
// parameter); nullopt if absent or the target is malformed. Takes the whole target: Boost.URL
// 1.81's parse_query reads a query that is a view into a longer buffer (as a target is, in the
// request) past its end, up to the next NUL; parsing the whole target does not.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

// True for three base64url segments separated by dots, the first two non-empty: the shape of
// a JWT (a JWS in compact serialisation, RFC 7515 §7.1).
bool looks_like_jwt(std::string_view text);

// The target as it may be logged (DESIGN §3: secrets never reach logs): the value of every
// query parameter named token / access_token (in any case or encoding) and every query value
// or path segment that looks like a JWT, whatever its name, replaced by "[REDACTED]". A target
// that does not parse is not echoed at all.
std::string redact_target(std::string_view target);

}  // namespace archibald
