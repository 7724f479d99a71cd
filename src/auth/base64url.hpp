// Base64url without padding (RFC 4648 §5), as JWT segments use it. Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace archibald {

std::string base64url_encode(std::string_view bytes);

// Strict: rejects padding, characters outside the url alphabet, impossible lengths and
// non-zero trailing bits, so one token has exactly one spelling.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace archibald
