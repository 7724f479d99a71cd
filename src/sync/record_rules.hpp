// Validation, normalisation and last-writer-wins for synced records (DESIGN §2.3), as pure
// functions: what the original backend accepted, and how it decided created / updated /
// skipped. Any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/sync_store.hpp"
#include "sync/collection.hpp"

namespace archibald {

inline constexpr std::size_t max_records_per_batch = 50;
inline constexpr std::size_t max_items_per_record = 100;
inline constexpr std::size_t max_id_length = 200;

struct checked_record {
  std::string id;              // "unknown" when the record has none
  std::string error;           // empty when valid; else why it is rejected ("customerId required")
  boost::json::object record;  // normalised; createdAt filled in by merge_record
  std::optional<std::int64_t> created_at;
  std::int64_t updated_at = 0;
  std::string device_id;  // empty: none
};

// fallback_device: the body's or the token's deviceId. now_ms: for a missing updatedAt.
// storage: where the checked record's values live (e.g. the arena of the write it belongs to).
checked_record check_record(const collection_spec& spec, const boost::json::value& value,
                            std::string_view fallback_device, std::int64_t now_ms,
                            boost::json::storage_ptr storage = {});

enum class merge_action { create, update, skip_server_newer, reject_foreign };

// Last-writer-wins: an existing record newer than the incoming one wins; equal or older is
// overwritten. A record owned by another user is never touched.
merge_action decide_merge(const std::optional<stored_record>& existing, std::string_view user_id,
                          std::int64_t incoming_updated_at);

// The record to store: createdAt kept from the existing record when there is one.
stored_record merge_record(checked_record& incoming, const std::optional<stored_record>& existing,
                           std::string_view user_id, std::int64_t now_ms);

// The stored version sent again, byte for byte and with the same updatedAt (a client retrying a
// write whose answer it lost, e.g. a 503 for a commit of unknown outcome): nothing changes and
// no event is logged ("skipped", reason "unchanged"), so a retry is harmless. The same
// updatedAt with other content is still an update.
bool repeats_stored(const std::optional<stored_record>& existing, const stored_record& merged);

}  // namespace archibald
