// The browser pages the server serves from its own binary (web/admin, web/demo, web/client,
// web/common, embedded at build time by cmake/embed_files.cmake): no CDN, works offline.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"

namespace archibald {

struct web_asset {
  std::string_view path;  // relative to web/, e.g. "admin/index.html"
  std::string_view content;
};
// Generated at build time.
const std::vector<web_asset>& web_assets();

// GET /admin, /demo (their index.html) and /<admin|demo|client|common>/<file>: the asset with
// its content type and a strict Content-Security-Policy (same-origin scripts, styles and
// connections only). Nothing for any other path.
std::optional<http_response> handle_web_asset(std::string_view path);

}  // namespace archibald
