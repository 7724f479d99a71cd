// POST /api/realtime/publish (DESIGN §2.3, new): lets another backend push an event to one
// user's devices or to everyone. Role admin or service.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/auth_guard.hpp"
#include "http/router.hpp"
#include "protocol/clock.hpp"

namespace archibald {
namespace {

constexpr std::size_t max_type_length = 64;

bool valid_event_type(std::string_view type) {
  if (type.empty() || type.size() > max_type_length) return false;
  for (const char c : type) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

http_response handle_publish(const http_request& req, const server_context& ctx) {
  http_response denied;
  if (!authorize(req, ctx, {user_role::admin, user_role::service}, denied)) return denied;

  boost::system::error_code ec;
  boost::json::value body = boost::json::parse({req.body.data(), req.body.size()}, ec);
  if (ec) return json_error(400, "body is not valid JSON");
  if (!body.is_object()) return json_error(400, "body must be a JSON object");
  boost::json::object& obj = body.get_object();

  const auto* user = obj.if_contains("userId");
  if (!user || !user->is_string() || user->get_string().empty())
    return json_error(400, "userId must be a non-empty string (or \"*\" for everyone)");
  const auto* type = obj.if_contains("type");
  if (!type || !type->is_string() || !valid_event_type(type->get_string()))
    return json_error(400, "type must be 1-64 characters of A-Z a-z 0-9 _ - . :");
  const auto* transient = obj.if_contains("transient");
  if (transient && !transient->is_bool()) return json_error(400, "transient must be a boolean");

  boost::json::value payload = boost::json::object{};
  if (auto* p = obj.if_contains("payload")) {
    if (!p->is_object()) return json_error(400, "payload must be a JSON object");
    payload = std::move(*p);
  }

  const std::string_view type_text = type->get_string();
  const std::string timestamp = iso8601_utc_ms(wall_clock::now());
  const shared_message message =
      share(serialize_envelope({.type = type_text, .payload = payload, .timestamp = timestamp}));

  const std::string_view target = user->get_string();
  const std::size_t delivered = target == "*" ? ctx.registry.send_to_all(message)
                                              : ctx.registry.send_to_user(target, message);
  add(ctx.metrics.events_published);

  http_response r;
  r.body = boost::json::serialize(boost::json::object{{"success", true}, {"delivered", delivered}});
  return r;
}

}  // namespace archibald
