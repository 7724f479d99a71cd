#include "protocol/auth_message.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "protocol/envelope.hpp"

namespace archibald {

std::optional<std::string> parse_auth_message(std::string_view text) {
  unsigned char buffer[1024];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec, &arena);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  const auto* type = o.if_contains("type");
  if (!type || !type->is_string() || type->get_string() != auth_message_type) return std::nullopt;
  const auto* token = o.if_contains("token");
  // The token is a top-level field; one in the payload, as other messages carry theirs, is
  // taken too.
  if (const auto* payload = o.if_contains("payload"); !token && payload && payload->is_object())
    token = payload->get_object().if_contains("token");
  if (!token || !token->is_string()) return std::string{};
  return std::string(token->get_string());
}

std::string auth_ok_message(std::int64_t expires_at, std::string_view timestamp) {
  const boost::json::value payload = boost::json::object{{"exp", expires_at}};
  return serialize_envelope({.type = "AUTH_OK", .payload = payload, .timestamp = timestamp});
}

}  // namespace archibald
