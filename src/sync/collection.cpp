#include "sync/collection.hpp"

namespace archibald {

const collection_spec* find_collection(std::string_view name) {
  if (name == draft_orders.name) return &draft_orders;
  if (name == pending_orders.name) return &pending_orders;
  return nullptr;
}

write_type parse_write_type(std::string_view type) {
  for (const collection_spec* spec : {&draft_orders, &pending_orders}) {
    if (type.size() <= spec->event_prefix.size() + 1 ||
        type.substr(0, spec->event_prefix.size()) != spec->event_prefix ||
        type[spec->event_prefix.size()] != '_')
      continue;
    const std::string_view action = type.substr(spec->event_prefix.size() + 1);
    if (action == "CREATED") return {spec, event_kind::created};
    if (action == "UPDATED") return {spec, event_kind::updated};
    if (action == "DELETED") return {spec, event_kind::deleted};
  }
  return {};
}

}  // namespace archibald
