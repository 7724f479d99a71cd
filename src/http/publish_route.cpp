// POST /api/realtime/publish (DESIGN §2.3, new): lets another backend push an event to one
// user's devices or to everyone. Role admin or service.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/auth_guard.hpp"
#include "http/router.hpp"

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

void handle_publish(const http_request& req, const server_context& ctx, http_responder respond) {
  http_response denied;
  if (!authorize(req, ctx, {user_role::admin, user_role::service}, denied))
    return respond(std::move(denied));

  boost::system::error_code ec;
  boost::json::value body = boost::json::parse({req.body.data(), req.body.size()}, ec);
  if (ec) return respond(json_error(400, "body is not valid JSON"));
  if (!body.is_object()) return respond(json_error(400, "body must be a JSON object"));
  boost::json::object& obj = body.get_object();

  const auto* user = obj.if_contains("userId");
  if (!user || !user->is_string() || user->get_string().empty())
    return respond(json_error(400, "userId must be a non-empty string (or \"*\" for everyone)"));
  const auto* type = obj.if_contains("type");
  if (!type || !type->is_string() || !valid_event_type(type->get_string()))
    return respond(json_error(400, "type must be 1-64 characters of A-Z a-z 0-9 _ - . :"));
  const auto* transient = obj.if_contains("transient");
  if (transient && !transient->is_bool())
    return respond(json_error(400, "transient must be a boolean"));

  boost::json::value payload = boost::json::object{};
  if (auto* p = obj.if_contains("payload")) {
    if (!p->is_object()) return respond(json_error(400, "payload must be a JSON object"));
    payload = std::move(*p);
  }

  ctx.sync.publish(std::string(user->get_string()), std::string(type->get_string()),
                   std::move(payload), transient && transient->get_bool(), req.received,
                   [respond = std::move(respond)](store_status status, std::size_t delivered) {
                     if (status != store_status::ok) return respond(storage_error(status));
                     respond(json_response(boost::json::serialize(
                         boost::json::object{{"success", true}, {"delivered", delivered}})));
                   });
}

}  // namespace archibald
