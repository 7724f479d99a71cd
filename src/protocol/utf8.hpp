// UTF-8 checks for WebSocket text (RFC 6455 §8.1). Pure; any thread.
#pragma once

#include <string_view>

namespace archibald {

// False when the text ends inside a multi-byte sequence (a lead byte without all its
// continuation bytes). Beast checks every byte of a text message as it arrives, but checks
// the end only when the final frame has a payload: a message whose last fragment is empty
// reaches the application with a truncated sequence at its end. This is the check it misses;
// it looks at the last three bytes only.
bool ends_in_complete_utf8(std::string_view text);

}  // namespace archibald
