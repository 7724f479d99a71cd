#include "load/write_builder.hpp"

#include <boost/json/parse.hpp>
#include <charconv>

namespace archibald::load {
namespace {

namespace json = boost::json;

constexpr std::size_t drafts_per_user = 5;

std::string draft_json(const write_request& w) {
  std::string out;
  out.reserve(160 + 70 * w.items);
  out += R"({"id":")";
  out += w.user_id;
  out += "-d" + std::to_string(static_cast<std::uint64_t>(w.key) % drafts_per_user);
  out += R"(","customerId":"C-)" + std::to_string(w.user_index);
  out += R"(","customerName":"Load customer )" + std::to_string(w.user_index);
  out += R"(","items":[)";
  for (std::size_t i = 0; i < w.items; ++i) {
    if (i) out += ',';
    out += R"({"productId":"P-)" + std::to_string(i) + R"(","quantity":)" + std::to_string(i + 1) +
           "}";
  }
  out += R"(],"updatedAt":)" + std::to_string(w.key);
  out += R"(,"deviceId":"dev)" + std::to_string(w.device) + R"("})";
  return out;
}

bool first_result_applied(const json::value& results) {
  if (!results.is_array() || results.get_array().empty()) return false;
  const auto& first = results.get_array()[0];
  if (!first.is_object()) return false;
  const auto* action = first.get_object().if_contains("action");
  return action && action->is_string() &&
         (action->get_string() == "created" || action->get_string() == "updated");
}

std::optional<std::int64_t> integer_of(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return std::nullopt;
}

}  // namespace

std::string rest_write_body(const write_request& w) {
  return R"({"drafts":[)" + draft_json(w) + "]}";
}

std::string ws_write_frame(const write_request& w) {
  return R"({"type":"DRAFT_UPDATED","requestId":")" + std::to_string(w.key) +
         R"(","payload":{"drafts":[)" + draft_json(w) + "]}}";
}

std::string publish_write_body(const write_request& w) {
  return R"({"userId":")" + w.user_id + R"(","type":"LOAD_EVENT","transient":false,)" +
         R"("payload":{"updatedAt":)" + std::to_string(w.key) + R"(,"deviceId":"dev)" +
         std::to_string(w.device) + R"("}})";
}

bool write_accepted(write_mode mode, int status, std::string_view body) {
  if (status != 200) return false;
  if (mode == write_mode::publish) return true;
  boost::system::error_code ec;
  const auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return false;
  const auto* results = doc.get_object().if_contains("results");
  return results && first_result_applied(*results);
}

bool ack_accepted(const json::object& ack) {
  const auto* payload = ack.if_contains("payload");
  if (!payload || !payload->is_object()) return false;
  const auto* results = payload->get_object().if_contains("results");
  return results && first_result_applied(*results);
}

std::string write_error(int status, std::string_view transport_error, std::string_view body) {
  if (status == 0) return "write: " + std::string(transport_error);
  if (status != 200) return "write: HTTP " + std::to_string(status);
  return body.find("\"skipped\"") != std::string_view::npos ? "write: skipped (server newer)"
                                                            : "write: not applied";
}

std::optional<std::int64_t> event_key(const json::object& event) {
  const auto* payload = event.if_contains("payload");
  if (!payload || !payload->is_object()) return std::nullopt;
  const auto& p = payload->get_object();
  if (const auto* draft = p.if_contains("draft"); draft && draft->is_object())
    return integer_of(draft->get_object().if_contains("updatedAt"));
  return integer_of(p.if_contains("updatedAt"));
}

std::int64_t parse_key(std::string_view text) {
  std::int64_t key = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), key);
  return ec == std::errc{} && end == text.data() + text.size() ? key : 0;
}

}  // namespace archibald::load
