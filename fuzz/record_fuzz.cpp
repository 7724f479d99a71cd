// Record validation and last-writer-wins on arbitrary JSON: check_record for both
// collections, then the merge against a stored record, whose output must parse again.
#include <boost/json/parse.hpp>

#include "fuzz_input.hpp"
#include "sync/record_rules.hpp"

using namespace archibald;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(fuzz::text(data, size), ec);
  if (ec) return 0;
  for (const collection_spec* spec : {&draft_orders, &pending_orders}) {
    checked_record checked = check_record(*spec, value, "fuzz-device", 1'700'000'000'000);
    if (!checked.error.empty()) continue;
    fuzz::require(
        checked.updated_at >= -8'640'000'000'000'000 && checked.updated_at <= 8'640'000'000'000'000,
        "updatedAt within what a Date holds");
    const std::optional<stored_record> existing =
        stored_record{checked.id, "owner", 1, 1'600'000'000'000, "{}"};
    const merge_action action = decide_merge(existing, "owner", checked.updated_at);
    fuzz::require(action == merge_action::update || action == merge_action::skip_server_newer,
                  "own record: update or skip");
    fuzz::require(
        decide_merge(existing, "other", checked.updated_at) == merge_action::reject_foreign,
        "another user's record is never touched");
    const stored_record merged = merge_record(checked, existing, "owner", 1'700'000'000'000);
    boost::json::parse(merged.data, ec);
    fuzz::require(!ec, "the stored record is JSON");
    fuzz::require(merged.created_at == 1, "createdAt kept from the stored record");
  }
  return 0;
}
