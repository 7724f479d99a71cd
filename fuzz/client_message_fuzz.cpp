// A WebSocket text message from a client as the session reads it: the UTF-8 end check, the
// AUTH message (first message or refresh), the envelope, the write type and the write's
// payload, then every record of a batch.
#include "fuzz_input.hpp"
#include "protocol/auth_message.hpp"
#include "protocol/envelope.hpp"
#include "protocol/utf8.hpp"
#include "sync/record_rules.hpp"
#include "sync/write_request.hpp"

using namespace archibald;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view message = fuzz::text(data, size);
  ends_in_complete_utf8(message);
  if (message == "ping") return 0;
  auto envelope = parse_envelope(message);
  if (!envelope) return 0;
  if (envelope->type == auth_message_type) {
    fuzz::require(parse_auth_message(message).has_value(), "an AUTH envelope is an AUTH message");
    return 0;
  }
  const write_type type = parse_write_type(envelope->type);
  if (!type.spec) return 0;
  parsed_write parsed = parse_write_payload(*type.spec, type.kind, envelope->payload);
  fuzz::require(parsed.write.has_value() != !parsed.error.empty(), "a write or an error");
  if (!parsed.write) return 0;
  fuzz::require(parsed.write->records.size() <= max_records_per_batch, "batch bound");
  for (const auto& record : parsed.write->records) {
    const checked_record checked = check_record(*type.spec, record, "fuzz-device", 0);
    fuzz::require(checked.id.size() <= max_id_length, "id bound");
  }
  return 0;
}
