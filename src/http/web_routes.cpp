#include <string>
#include <unordered_map>

#include "http/web_assets.hpp"

namespace archibald {
namespace {

std::string_view content_type_of(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "json") return "application/json";
  return "application/octet-stream";
}

const std::unordered_map<std::string_view, std::string_view>& assets_by_url() {
  static const auto table = [] {
    std::unordered_map<std::string_view, std::string_view> t;
    for (const auto& a : web_assets()) t.emplace(a.path, a.content);
    return t;
  }();
  return table;
}

}  // namespace

std::optional<http_response> handle_web_asset(std::string_view path) {
  std::string key(path.substr(path.empty() ? 0 : 1));  // without the leading '/'
  if (key == "admin" || key == "admin/" || key == "demo" || key == "demo/")
    key = key.substr(0, key.find('/')) + "/index.html";
  const auto& table = assets_by_url();
  const auto found = table.find(key);
  if (found == table.end()) return std::nullopt;

  http_response r;
  r.content_type = std::string(content_type_of(key));
  r.body = std::string(found->second);
  r.headers = {
      {"Cache-Control", "no-cache"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"},
  };
  return r;
}

}  // namespace archibald
