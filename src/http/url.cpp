#include "http/url.hpp"

#include <boost/url/grammar/error.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url_view.hpp>

namespace archibald {

namespace urls = boost::urls;

namespace {

std::string_view view(urls::string_view s) {
  return {s.data(), s.size()};
}

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '=';
}

bool is_secret_name(std::string_view encoded_name) {
  const auto name = percent_decode(encoded_name, true);
  if (!name) return false;
  std::string lower;
  for (char c : *name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower == "token" || lower == "access_token";
}

bool is_secret_value(std::string_view encoded_value, bool plus_is_space) {
  const auto value = percent_decode(encoded_value, plus_is_space);
  return value && looks_like_jwt(*value);
}

urls::result<urls::url_view> parse_exact(std::string_view target) {
  auto parsed = urls::parse_origin_form({target.data(), target.size()});
  if (!parsed) parsed = urls::parse_absolute_uri({target.data(), target.size()});
  // Boost.URL 1.81 reads "http://h:3x" as port 3 and path "x"; RFC 3986 §3.3 does not.
  if (parsed && !parsed->encoded_path().empty() && parsed->encoded_path().front() != '/')
    return urls::grammar::error::invalid;
  return parsed;
}

// Bytes RFC 3986 does not allow in a path or query but browsers send unescaped (the WHATWG URL
// standard leaves them: fetch(`/api/sync/draft-orders/${id}`) with an id "a|b"), and Node's
// parser, like the original server, accepts.
constexpr std::string_view browser_unescaped = "|^[]`{}\"<>\\";

// The target, parsed exactly; else, for an origin-form target, parsed as if those bytes were
// percent-encoded (the view then points into scratch).
urls::result<urls::url_view> parse_url(std::string_view target, std::string& scratch) {
  auto parsed = parse_exact(target);
  if (parsed || target.empty() || target.front() != '/' ||
      target.find_first_of(browser_unescaped) == std::string_view::npos)
    return parsed;
  constexpr char hex[] = "0123456789ABCDEF";
  scratch.clear();
  for (const char c : target) {
    if (browser_unescaped.find(c) == std::string_view::npos) {
      scratch += c;
    } else {
      scratch += '%';
      scratch += hex[(static_cast<unsigned char>(c) >> 4) & 0xF];
      scratch += hex[static_cast<unsigned char>(c) & 0xF];
    }
  }
  return parse_exact(scratch);
}

}  // namespace

std::optional<target_parts> parse_target(std::string_view target) {
  std::string scratch;
  const auto parsed = parse_url(target, scratch);
  if (!parsed) return std::nullopt;
  if (scratch.empty())
    return target_parts{view(parsed->encoded_path()), view(parsed->encoded_query())};
  // Parsed leniently (origin-form): the same split, on the bytes as they came.
  const auto q = target.find('?');
  if (q == std::string_view::npos) return target_parts{target, {}};
  return target_parts{target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  const auto encoded = urls::make_pct_string_view({text.data(), text.size()});
  if (!encoded) return std::nullopt;
  urls::encoding_opts options;
  options.space_as_plus = plus_is_space;
  return encoded->decode(options);
}

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  std::string scratch;
  const auto parsed = parse_url(target, scratch);
  if (!parsed) return std::nullopt;
  for (const auto param : parsed->encoded_params()) {
    if (view(param.key) != name) continue;
    urls::encoding_opts options;
    options.space_as_plus = true;
    return param.value.decode(options);
  }
  return std::nullopt;
}

bool looks_like_jwt(std::string_view text) {
  std::size_t dots = 0, segment = 0;
  for (char c : text) {
    if (c == '.') {
      if (segment == 0 && dots < 2) return false;  // header and payload are never empty
      ++dots;
      segment = 0;
    } else if (is_base64url(c)) {
      ++segment;
    } else {
      return false;
    }
  }
  return dots == 2;
}

std::string redact_target(std::string_view target) {
  std::string scratch;
  const auto parsed = parse_url(target, scratch);
  if (!parsed) return "[malformed target of " + std::to_string(target.size()) + " bytes]";
  const std::string_view parsed_text = scratch.empty() ? target : std::string_view(scratch);
  const std::string_view path = view(parsed->encoded_path());
  std::string out(
      parsed_text.substr(0, static_cast<std::size_t>(path.data() - parsed_text.data())));
  if (parsed->is_path_absolute()) out += '/';
  bool first = true;
  for (const auto segment : parsed->encoded_segments()) {
    if (!first) out += '/';
    first = false;
    out.append(is_secret_value(view(segment), false) ? "[REDACTED]" : view(segment));
  }
  if (!parsed->has_query()) return out;
  char separator = '?';
  for (const auto param : parsed->encoded_params()) {
    out += separator;
    separator = '&';
    const std::string_view name = view(param.key);
    if (!param.has_value) {
      out.append(is_secret_value(name, true) ? "[REDACTED]" : name);
    } else if (is_secret_name(name) || is_secret_value(view(param.value), true)) {
      out.append(name).append("=[REDACTED]");
    } else {
      out.append(name).append("=").append(view(param.value));
    }
  }
  return out;
}

}  // namespace archibald
