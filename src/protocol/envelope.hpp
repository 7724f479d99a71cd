// The JSON envelope of every WebSocket message (DESIGN §2.2):
//   {"type": "...", "requestId": "...", "payload": {...}, "timestamp": "<ISO-8601>", "seq": N}
// requestId only on ACK / ERROR and client writes, seq only on durable events.
// A broadcast is serialised once into a shared_message that every recipient shares.
// Pure functions; any thread.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace archibald {

// One serialised frame, immutable once built, shared by every connection it is queued on.
// seq is the event's per-user sequence number (0 for transient frames): sessions use it to
// drop a live event that a replay already delivered.
struct outbound_frame {
  std::string text;
  std::int64_t seq = 0;
  std::size_t size() const { return text.size(); }
};
using shared_message = std::shared_ptr<const outbound_frame>;

inline shared_message share(std::string text, std::int64_t seq = 0) {
  return std::make_shared<const outbound_frame>(outbound_frame{std::move(text), seq});
}

struct envelope_fields {
  std::string_view type;
  const boost::json::value& payload;
  std::string_view timestamp;
  std::optional<std::int64_t> seq = std::nullopt;
  std::string_view request_id = {};
};

std::string serialize_envelope(const envelope_fields& fields);

// The same envelope around a payload that is JSON text already (an event built around a
// stored record's text, without parsing it again). payload_json must be one JSON value.
std::string serialize_envelope_text(std::string_view type, std::string_view payload_json,
                                    std::string_view timestamp, std::int64_t seq);

// Appends v / s as JSON text (a quoted, escaped string for s) to out, without a temporary.
void append_json(std::string& out, const boost::json::value& v);
void append_json_string(std::string& out, std::string_view s);

struct parsed_envelope {
  std::string type;
  boost::json::value payload;  // null when absent
  std::string timestamp;       // empty when absent
  std::optional<std::int64_t> seq;
  std::string request_id;  // empty when absent
};

// Accepts any JSON object with a string "type"; other fields are optional but, when present,
// must have the documented types. Returns nullopt otherwise (bad JSON included).
std::optional<parsed_envelope> parse_envelope(std::string_view text);

}  // namespace archibald
