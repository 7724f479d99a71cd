// The in-band authentication message (tokens out of URLs): a client opens /ws/realtime without
// a token and sends {"type":"AUTH","token":"<JWT>"} first; later ones refresh the connection's
// token. The server answers {"type":"AUTH_OK","payload":{"exp":N}}. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace archibald {

inline constexpr std::string_view auth_message_type = "AUTH";

// The token of an AUTH message ("token", or else "payload": {"token"}; empty when missing or
// not a string); nullopt when the text is not a JSON object of type "AUTH".
std::optional<std::string> parse_auth_message(std::string_view text);

// {"type":"AUTH_OK","payload":{"exp":N},"timestamp":"…"}; exp 0: the token never expires.
std::string auth_ok_message(std::int64_t expires_at, std::string_view timestamp);

}  // namespace archibald
