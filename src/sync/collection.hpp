// The two synced collections (DESIGN §2.3): the same rules, different names on the wire.
// Immutable constants; any thread.
#pragma once

#include <string_view>

namespace archibald {

struct collection_spec {
  std::string_view name;          // URL segment and storage key: "draft-orders"
  std::string_view list_key;      // body / response array: "drafts"
  std::string_view alt_list_key;  // also accepted in request bodies
  std::string_view event_prefix;  // "DRAFT" → DRAFT_CREATED, DRAFT_UPDATED, DRAFT_DELETED
  std::string_view id_key;        // event payload: "draftId"
  std::string_view record_key;    // event payload: "draft"
  bool normalise_items;           // drafts keep the original's item shape
};

inline constexpr collection_spec draft_orders{"draft-orders", "drafts", "drafts", "DRAFT",
                                              "draftId",      "draft",  true};
inline constexpr collection_spec pending_orders{
    "pending-orders", "orders", "drafts", "PENDING", "pendingOrderId", "pendingOrder", false};

// nullptr when the name is neither collection.
const collection_spec* find_collection(std::string_view name);

enum class event_kind { created, updated, deleted };

// "DRAFT_UPDATED" → {draft_orders, updated}; nullptr spec when it is not a write type.
struct write_type {
  const collection_spec* spec = nullptr;
  event_kind kind = event_kind::created;
};
write_type parse_write_type(std::string_view type);

}  // namespace archibald
