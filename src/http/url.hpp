// Request-target helpers: path / query split, query parameters, token redaction for logs.
// Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace archibald {

struct target_parts {
  std::string_view path;
  std::string_view query;  // without the '?'
};

target_parts split_target(std::string_view target);

// Decodes %XX escapes (and '+' as a space in query strings); nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// The percent-decoded value of the first `name=` parameter ('+' is a space); nullopt if absent
// or badly encoded.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// The target with the value of every token / access_token parameter replaced by "[REDACTED]":
// secrets never reach logs (DESIGN §3).
std::string redact_target(std::string_view target);

}  // namespace archibald
