#include "http/request_framing.hpp"

namespace archibald {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

const char* transfer_encoding_error(unsigned version,
                                    std::span<const std::string_view> transfer_encodings) {
  if (transfer_encodings.empty()) return nullptr;
  if (version < 11) return "Transfer-Encoding in an HTTP/1.0 request";
  std::size_t codings = 0;
  bool only_chunked = true;
  for (std::string_view field : transfer_encodings) {
    // A list (RFC 9110 §5.6.1): elements separated by commas, empty ones allowed.
    while (true) {
      const auto comma = field.find(',');
      const std::string_view coding = trim(field.substr(0, comma));
      if (!coding.empty()) {
        ++codings;
        only_chunked = only_chunked && iequals(coding, "chunked");
      }
      if (comma == std::string_view::npos) break;
      field.remove_prefix(comma + 1);
    }
  }
  if (codings != 1 || !only_chunked) return "Unsupported Transfer-Encoding";
  return nullptr;
}

}  // namespace archibald
