#include "protocol/envelope.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <charconv>

namespace archibald {

namespace {

// Reads a reset serializer into the end of out.
void drain_into(std::string& out, boost::json::serializer& sr) {
  while (!sr.done()) {
    const std::size_t at = out.size();
    out.resize(std::max(out.capacity(), at + 64));
    out.resize(at + sr.read(out.data() + at, out.size() - at).size());
  }
}

void open_envelope(std::string& out, std::string_view type, std::size_t payload_size) {
  out.reserve(64 + type.size() + payload_size);
  out += "{\"type\":";
  append_json_string(out, type);
}

void close_envelope(std::string& out, std::string_view timestamp, std::optional<std::int64_t> seq) {
  out += ",\"timestamp\":\"";
  out += timestamp;  // produced by iso8601_utc_ms: nothing to escape
  out += '"';
  if (seq) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, *seq).ptr;
    out += ",\"seq\":";
    out.append(digits, end);
  }
  out += '}';
}

}  // namespace

void append_json(std::string& out, const boost::json::value& v) {
  boost::json::serializer sr;
  sr.reset(&v);
  drain_into(out, sr);
}

void append_json_string(std::string& out, std::string_view s) {
  boost::json::serializer sr;
  sr.reset(boost::json::string_view{s.data(), s.size()});
  drain_into(out, sr);
}

std::string serialize_envelope(const envelope_fields& f) {
  std::string out;
  open_envelope(out, f.type, 64);
  if (!f.request_id.empty()) {
    out += ",\"requestId\":";
    append_json_string(out, f.request_id);
  }
  out += ",\"payload\":";
  append_json(out, f.payload);
  close_envelope(out, f.timestamp, f.seq);
  return out;
}

std::string serialize_envelope_text(std::string_view type, std::string_view payload_json,
                                    std::string_view timestamp, std::int64_t seq) {
  std::string out;
  open_envelope(out, type, payload_json.size());
  out += ",\"payload\":";
  out += payload_json;
  close_envelope(out, timestamp, seq);
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
