#include "protocol/envelope.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace archibald {

std::string serialize_envelope(const envelope_fields& f) {
  std::string out;
  out.reserve(64 + f.type.size() + f.timestamp.size());
  out += "{\"type\":";
  out += boost::json::serialize(boost::json::string_view{f.type.data(), f.type.size()});
  if (!f.request_id.empty()) {
    out += ",\"requestId\":";
    out +=
        boost::json::serialize(boost::json::string_view{f.request_id.data(), f.request_id.size()});
  }
  out += ",\"payload\":";
  out += boost::json::serialize(f.payload);
  out += ",\"timestamp\":\"";
  out += f.timestamp;  // produced by iso8601_utc_ms: nothing to escape
  out += '"';
  if (f.seq) {
    out += ",\"seq\":";
    out += std::to_string(*f.seq);
  }
  out += '}';
  return out;
}

std::optional<parsed_envelope> parse_envelope(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse({text.data(), text.size()}, ec);
  if (ec || !root.is_object()) return std::nullopt;
  auto& obj = root.get_object();

  parsed_envelope out;
  const auto* type = obj.if_contains("type");
  if (!type || !type->is_string()) return std::nullopt;
  out.type = type->get_string();

  if (const auto* id = obj.if_contains("requestId")) {
    if (id->is_string()) {
      out.request_id = id->get_string();
    } else if (id->is_int64() || id->is_uint64()) {
      out.request_id = boost::json::serialize(*id);
    } else if (!id->is_null()) {
      return std::nullopt;
    }
  }
  if (const auto* ts = obj.if_contains("timestamp")) {
    if (!ts->is_string()) return std::nullopt;
    out.timestamp = ts->get_string();
  }
  if (const auto* seq = obj.if_contains("seq")) {
    // A uint64 is past INT64_MAX: converting it threw out of the session's read handler and
    // took the whole server down (found by fuzzing).
    if (!seq->is_int64()) return std::nullopt;
    out.seq = seq->get_int64();
  }
  if (auto* payload = obj.if_contains("payload")) out.payload = std::move(*payload);
  return out;
}

}  // namespace archibald
