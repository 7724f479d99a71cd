// Durable sync (DESIGN §2.2, §2.3): applies REST and WebSocket writes to a collection with the
// same code path — validation, ownership, last-writer-wins — stores each state change with
// its event (per-user seq) in one transaction, and fans the events out after the commit.
// Also serves lists, durable publishes and event replay.
//
// Thread-safe: call from any thread. Callbacks run on a storage thread; events are fanned out
// in commit order before the write's callback runs.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fanout/connection_registry.hpp"
#include "metrics/server_metrics.hpp"
#include "store/sync_store.hpp"
#include "sync/collection.hpp"

namespace archibald {

class sync_service {
 public:
  using results_done = std::function<void(store_status, boost::json::array results)>;
  using remove_done = std::function<void(store_status, bool found)>;
  using list_done = std::function<void(store_status, std::vector<std::string> records)>;
  using publish_done = std::function<void(store_status, std::size_t delivered)>;
  using replay_done = std::function<void(store_status, event_window)>;

  sync_service(sync_store& store, connection_registry& registry, server_metrics& metrics);

  // records: the batch (already checked to be an array of at most 50).
  void upsert(const collection_spec& spec, std::string user_id, std::string fallback_device,
              boost::json::array records, results_done done);
  void remove(const collection_spec& spec, std::string user_id, std::string record_id,
              std::string device_id, remove_done done);
  void list(const collection_spec& spec, std::string user_id,
            std::optional<std::int64_t> updated_after, list_done done);
  // A durable event gets a seq and is logged; a transient one only fanned out.
  void publish(std::string user_id, std::string type, boost::json::value payload, bool transient,
               publish_done done);
  // Up to `limit` events after a seq, or after a time (epoch ms) when after_ms is set.
  void replay(std::string user_id, std::int64_t after_seq, std::optional<std::int64_t> after_ms,
              std::size_t limit, replay_done done);

  bool ready() const { return store_.ready(); }

 private:
  sync_store& store_;
  connection_registry& registry_;
  server_metrics& metrics_;
};

}  // namespace archibald
