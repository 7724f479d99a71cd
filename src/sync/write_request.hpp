// A client write as the sync layer takes it, whichever way it came in: a REST body
// (POST /api/sync/<collection>, DELETE /api/sync/<collection>/<id>) or a WebSocket message
// ({"type": "DRAFT_UPDATED", "payload": {...}}). Parsed and checked here once, so both
// transports accept exactly the same writes and answer the same errors (DESIGN §2.2, §2.3).
// Pure functions; any thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "store/sync_store.hpp"
#include "sync/collection.hpp"

namespace archibald {

struct write_request {
  const collection_spec* spec = nullptr;
  event_kind kind = event_kind::created;  // created / updated: an upsert batch; deleted: one id
  boost::json::array records;             // upsert: at most max_records_per_batch, unchecked
  std::string record_id;                  // delete
  std::optional<std::string> device_id;   // the body's deviceId, when it has a string one
};

// A write, or why there is none (a message for the client: "drafts must be an array").
struct parsed_write {
  std::optional<write_request> write;
  std::string error;
};

// The body of POST /api/sync/<collection>: {"drafts": [...], "deviceId"?}. The records are
// parsed into `storage` (e.g. an arena on the caller's stack, when they are read only while
// the caller runs).
parsed_write parse_upsert_body(const collection_spec& spec, std::string_view body,
                               boost::json::storage_ptr storage = {});

// The payload of a WebSocket write: the REST body for created / updated, {"draftId",
// "deviceId"?} for deleted. Consumes the payload's records.
parsed_write parse_write_payload(const collection_spec& spec, event_kind kind,
                                 boost::json::value& payload);

// The answer to a write the store could not take (storage busy or unavailable).
std::string_view storage_error_text(store_status status);

}  // namespace archibald
