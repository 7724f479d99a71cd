// REST sync API (DESIGN §2.3): /api/sync/draft-orders and /api/sync/pending-orders.
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "http/auth_guard.hpp"
#include "http/router.hpp"
#include "http/url.hpp"
#include "sync/record_rules.hpp"
#include "sync/write_request.hpp"

namespace archibald {
namespace {

namespace json = boost::json;

void list_records(const http_request& req, const server_context& ctx, const collection_spec& spec,
                  const jwt_claims& user, http_responder respond) {
  std::optional<std::int64_t> updated_after;
  if (const auto after = query_param(req.target, "updatedAfter")) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(after->data(), after->data() + after->size(), n);
    if (ec != std::errc{} || end != after->data() + after->size())
      return respond(json_error(400, "updatedAfter must be epoch milliseconds"));
    updated_after = n;
  }
  ctx.sync.list(
      spec, user.user_id, updated_after,
      [&spec, respond = std::move(respond)](store_status status, std::vector<std::string> records) {
        if (status != store_status::ok) return respond(storage_error(status));
        // Records are stored as JSON text: join them without parsing again.
        std::string body = "{\"success\":true,\"";
        body.append(spec.list_key).append("\":[");
        for (std::size_t i = 0; i < records.size(); ++i) {
          if (i) body += ',';
          body += records[i];
        }
        body += "]}";
        respond(json_response(std::move(body)));
      });
}

void upsert_records(const http_request& req, const server_context& ctx, const collection_spec& spec,
                    const jwt_claims& user, http_responder respond) {
  // The body's values live only until sync.upsert has checked them (it copies what it keeps):
  // parsed into an arena on this stack, they cost no allocation each.
  unsigned char buffer[8192];
  json::monotonic_resource arena(buffer, sizeof buffer);
  parsed_write parsed = parse_upsert_body(spec, req.body, &arena);
  if (!parsed.write) return respond(json_error(400, parsed.error));
  write_request& w = *parsed.write;
  ctx.sync.upsert(
      spec, user.user_id, w.device_id.value_or(user.device_id), std::move(w.records), req.received,
      [respond = std::move(respond)](store_status status, json::array results) {
        if (status != store_status::ok) return respond(storage_error(status));
        respond(json_response(
            json::serialize(json::object{{"success", true}, {"results", std::move(results)}})));
      });
}

void delete_record(const http_request& req, const server_context& ctx, const collection_spec& spec,
                   const jwt_claims& user, std::string id, http_responder respond) {
  std::string device = query_param(req.target, "deviceId").value_or(user.device_id);
  ctx.sync.remove(spec, user.user_id, std::move(id), std::move(device), req.received,
                  [respond = std::move(respond)](store_status status, bool found) {
                    if (status != store_status::ok) return respond(storage_error(status));
                    if (!found) return respond(json_error(404, "Not found"));
                    respond(json_response(R"({"success":true})"));
                  });
}

}  // namespace

void handle_sync(const http_request& req, const server_context& ctx, std::string_view rest,
                 http_responder respond) {
  const auto slash = rest.find('/');
  const collection_spec* spec = find_collection(rest.substr(0, slash));
  if (!spec) return respond(json_error(404, "Not found"));

  http_response denied;
  const auto user = authorize(req, ctx, {}, denied);
  if (!user) return respond(std::move(denied));

  if (slash == std::string_view::npos) {
    if (req.method == "GET" || req.method == "HEAD")
      return list_records(req, ctx, *spec, *user, std::move(respond));
    if (req.method == "POST") return upsert_records(req, ctx, *spec, *user, std::move(respond));
    http_response r = json_error(405, "Method not allowed");
    r.headers.emplace_back("Allow", "GET, POST");
    return respond(std::move(r));
  }
  // The id is one path segment: a raw '/' makes another path (404, as Express's `:id`), while
  // an encoded one (%2F) is part of the id, so every id that can be written can be deleted.
  const std::string_view segment = rest.substr(slash + 1);
  const auto id = percent_decode(segment, false);
  if (segment.find('/') != std::string_view::npos || !id || id->empty() ||
      id->size() > max_id_length)
    return respond(json_error(404, "Not found"));
  if (req.method != "DELETE") {
    http_response r = json_error(405, "Method not allowed");
    r.headers.emplace_back("Allow", "DELETE");
    return respond(std::move(r));
  }
  delete_record(req, ctx, *spec, *user, *id, std::move(respond));
}

}  // namespace archibald
