// A hash map keyed by std::string that is looked up with a std::string_view (no temporary
// string per lookup): user ids, tokens, statement texts. Any thread, as std::unordered_map.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace archibald {

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename Value>
using string_map = std::unordered_map<std::string, Value, string_hash, std::equal_to<>>;

}  // namespace archibald
