#include "protocol/utf8.hpp"

namespace archibald {

bool ends_in_complete_utf8(std::string_view text) {
  // Walk back over at most three continuation bytes (10xxxxxx) to the sequence's lead byte.
  std::size_t continuation = 0;
  for (std::size_t i = text.size(); i > 0 && continuation <= 3; --i) {
    const auto byte = static_cast<unsigned char>(text[i - 1]);
    if ((byte & 0xC0) == 0x80) {
      ++continuation;
      continue;
    }
    std::size_t length = 1;
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
    }
    return continuation + 1 >= length;
  }
  return continuation == 0;  // empty, or nothing but continuation bytes (Beast rejects those)
}

}  // namespace archibald
