// Whether the end of a request's body can be known for sure (RFC 9112 §6.1, §6.3): the check
// that stops request smuggling. A Transfer-Encoding other than exactly "chunked" (gzip,
// identity, "chunked, identity", xchunked...) or one in an HTTP/1.0 request leaves the body's
// end to guesswork: such a request is answered 400 and its connection closed, so that what
// follows it is never read as another request. Pure; any thread.
#pragma once

#include <span>
#include <string_view>

namespace archibald {

// transfer_encodings: the value of every Transfer-Encoding field, in order; version: 10 for
// HTTP/1.0, 11 for HTTP/1.1. nullptr when the framing is sound, else why it is not.
const char* transfer_encoding_error(unsigned version,
                                    std::span<const std::string_view> transfer_encodings);

}  // namespace archibald
