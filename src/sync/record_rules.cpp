#include "sync/record_rules.hpp"

#include <boost/json/serialize.hpp>
#include <cmath>

namespace archibald {
namespace {

namespace json = boost::json;

// A required identifier: a non-empty string, or an integer kept as its text.
std::optional<std::string> identifier(const json::object& obj, std::string_view key) {
  const auto* v = obj.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_string() && !v->get_string().empty()) return std::string(v->get_string());
  if (v->is_int64() || v->is_uint64()) return json::serialize(*v);
  return std::nullopt;
}

// The range a JavaScript Date holds (ECMA-262 §21.4.1.22): the clients are browsers.
constexpr std::int64_t max_epoch_ms = 8'640'000'000'000'000;

// An epoch-millisecond field: absent or null → ok with nothing; an integer (or an integral
// double, as JavaScript sends 1.7e12) within ±max_epoch_ms → ok with it; anything else, such
// as 2^63 or 1.5, → not ok: a value is never silently changed into another.
bool epoch_ms_field(const json::object& obj, std::string_view key,
                    std::optional<std::int64_t>& out) {
  const auto* v = obj.if_contains(key);
  if (!v || v->is_null()) return true;
  if (v->is_int64()) {
    const std::int64_t ms = v->get_int64();
    if (ms < -max_epoch_ms || ms > max_epoch_ms) return false;
    out = ms;
    return true;
  }
  if (v->is_double()) {
    const double ms = v->get_double();
    if (!(std::abs(ms) <= static_cast<double>(max_epoch_ms)) || std::trunc(ms) != ms) return false;
    out = static_cast<std::int64_t>(ms);
    return true;
  }
  return false;  // uint64 (always past the range), strings, ...
}

// JSON text such as 1e400 parses to an infinity, which serialises as 1e99999: text that
// Boost.JSON itself then refuses to parse, and no JavaScript client ever sends (found by
// fuzzing, record_fuzz). Depth is bounded by the parser (32 levels).
bool all_numbers_finite(const json::value& v) {
  if (v.is_double()) return std::isfinite(v.get_double());
  if (v.is_array()) {
    for (const auto& e : v.get_array())
      if (!all_numbers_finite(e)) return false;
  } else if (v.is_object()) {
    for (const auto& kv : v.get_object())
      if (!all_numbers_finite(kv.value())) return false;
  }
  return true;
}

// The original backend's item shape for drafts, in `storage`.
json::object normalised_item(const json::object& item, const json::storage_ptr& storage) {
  json::object out(6, storage);
  const auto copy = [&](std::string_view key) {
    if (const auto* v = item.if_contains(key)) {
      out.emplace(key, *v);
    } else {
      out.emplace(key, nullptr);
    }
  };
  copy("productId");
  copy("productName");
  copy("article");
  copy("variantId");
  if (const auto* quantity = item.if_contains("quantity"); quantity && !quantity->is_null()) {
    out.emplace("quantity", *quantity);
  } else {
    out.emplace("quantity", 0);
  }
  copy("packageContent");
  return out;
}

std::string check_fields(const collection_spec& spec, const json::object& in, checked_record& out) {
  const auto customer_id = identifier(in, "customerId");
  if (!customer_id) return "customerId required";
  const auto* name = in.if_contains("customerName");
  if (!name || name->is_null()) return "customerName required";
  if (!name->is_string()) return "customerName must be a string";
  const auto* items = in.if_contains("items");
  if (!items || !items->is_array()) return "items must be an array";
  if (items->get_array().size() > max_items_per_record) return "at most 100 items per record";
  if (!epoch_ms_field(in, "createdAt", out.created_at))
    return "createdAt must be integer epoch milliseconds within +/-8.64e15";
  std::optional<std::int64_t> updated;
  if (!epoch_ms_field(in, "updatedAt", updated))
    return "updatedAt must be integer epoch milliseconds within +/-8.64e15";
  if (updated) out.updated_at = *updated;
  const auto* device = in.if_contains("deviceId");
  if (device && !device->is_null() && !device->is_string()) return "deviceId must be a string";
  if (device && device->is_string()) out.device_id = device->get_string();

  const json::storage_ptr& storage = out.record.storage();
  json::array normalised(storage);
  normalised.reserve(items->get_array().size());
  for (const auto& item : items->get_array()) {
    if (!item.is_object()) return "items must be objects";
    if (spec.normalise_items) {
      normalised.emplace_back(normalised_item(item.get_object(), storage));
    } else {
      normalised.push_back(item);
    }
  }
  // Drafts keep exactly the original's fields; pending orders keep what the client sent.
  if (!spec.normalise_items) out.record = in;
  if (!all_numbers_finite(out.record) || !all_numbers_finite(normalised))
    return "numbers must be finite";
  out.record["id"] = out.id;
  out.record["customerId"] = *customer_id;
  out.record["customerName"] = name->get_string();
  out.record["items"] = std::move(normalised);
  return {};
}

}  // namespace

checked_record check_record(const collection_spec& spec, const json::value& value,
                            std::string_view fallback_device, std::int64_t now_ms,
                            json::storage_ptr storage) {
  checked_record out{.id = "unknown",
                     .error = {},
                     .record = json::object(std::move(storage)),
                     .created_at = std::nullopt,
                     .updated_at = now_ms,
                     .device_id = {}};
  if (!value.is_object()) {
    out.error = "record must be an object";
    return out;
  }
  const json::object& in = value.get_object();
  const auto id = identifier(in, "id");
  if (!id) {
    out.error = "id required";
    return out;
  }
  out.id = *id;
  if (out.id.size() > max_id_length) {
    out.id = out.id.substr(0, max_id_length);
    out.error = "id longer than 200 characters";
    return out;
  }
  out.error = check_fields(spec, in, out);
  if (out.device_id.empty()) out.device_id = fallback_device;
  return out;
}

merge_action decide_merge(const std::optional<stored_record>& existing, std::string_view user_id,
                          std::int64_t incoming_updated_at) {
  if (!existing) return merge_action::create;
  if (existing->user_id != user_id) return merge_action::reject_foreign;
  if (existing->updated_at > incoming_updated_at) return merge_action::skip_server_newer;
  return merge_action::update;
}

stored_record merge_record(checked_record& incoming, const std::optional<stored_record>& existing,
                           std::string_view user_id, std::int64_t now_ms) {
  const std::int64_t created =
      existing ? existing->created_at : incoming.created_at.value_or(now_ms);
  incoming.record["createdAt"] = created;
  incoming.record["updatedAt"] = incoming.updated_at;
  incoming.record["deviceId"] =
      incoming.device_id.empty() ? json::value(nullptr) : json::value(incoming.device_id);
  return {incoming.id, std::string(user_id), created, incoming.updated_at,
          json::serialize(incoming.record)};
}

bool repeats_stored(const std::optional<stored_record>& existing, const stored_record& merged) {
  return existing && existing->updated_at == merged.updated_at && existing->data == merged.data;
}

}  // namespace archibald
