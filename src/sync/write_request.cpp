#include "sync/write_request.hpp"

#include <boost/json/parse.hpp>

#include "sync/record_rules.hpp"

namespace archibald {
namespace {

namespace json = boost::json;

parsed_write failure(std::string message) {
  return {std::nullopt, std::move(message)};
}

std::optional<std::string> string_field(const json::object& obj, std::string_view key) {
  const auto* v = obj.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

// A write of this kind, with the deviceId the body or payload names; the caller adds what.
write_request write_of(const collection_spec& spec, event_kind kind, const json::object& obj) {
  write_request w;
  w.spec = &spec;
  w.kind = kind;
  w.device_id = string_field(obj, "deviceId");
  return w;
}

parsed_write upsert_from(const collection_spec& spec, event_kind kind, json::object& obj) {
  json::value* list = obj.if_contains(spec.list_key);
  if (!list) list = obj.if_contains(spec.alt_list_key);
  const std::string key(spec.list_key);
  if (!list || !list->is_array()) return failure(key + " must be an array");
  if (list->get_array().size() > max_records_per_batch)
    return failure("at most " + std::to_string(max_records_per_batch) + " " + key + " per batch");
  // Moved in at construction, so the records keep the storage they were parsed into (an
  // assignment would copy them into the target's).
  return {write_request{.spec = &spec,
                        .kind = kind,
                        .records = std::move(list->get_array()),
                        .record_id = {},
                        .device_id = string_field(obj, "deviceId")},
          {}};
}

}  // namespace

parsed_write parse_upsert_body(const collection_spec& spec, std::string_view body,
                               json::storage_ptr storage) {
  boost::system::error_code ec;
  json::value parsed = json::parse({body.data(), body.size()}, ec, std::move(storage));
  if (ec) return failure("body is not valid JSON");
  if (!parsed.is_object()) return failure("body must be a JSON object");
  return upsert_from(spec, event_kind::updated, parsed.get_object());
}

parsed_write parse_write_payload(const collection_spec& spec, event_kind kind,
                                 json::value& payload) {
  if (!payload.is_object()) return failure("payload must be an object");
  json::object& obj = payload.get_object();
  if (kind != event_kind::deleted) return upsert_from(spec, kind, obj);

  const json::value* id = obj.if_contains(spec.id_key);
  if (!id) id = obj.if_contains("id");
  if (!id || !id->is_string() || id->get_string().empty())
    return failure(std::string(spec.id_key) + " must be a non-empty string");
  if (id->get_string().size() > max_id_length)
    return failure(std::string(spec.id_key) + " longer than " + std::to_string(max_id_length) +
                   " characters");
  write_request w = write_of(spec, kind, obj);
  w.record_id = std::string(id->get_string());
  return {std::move(w), {}};
}

std::string_view storage_error_text(store_status status) {
  return status == store_status::busy ? "Storage busy, retry later" : "Storage unavailable";
}

}  // namespace archibald
