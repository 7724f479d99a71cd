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
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fanout/connection_registry.hpp"
#include "metrics/server_metrics.hpp"
#include "store/sync_store.hpp"
#include "sync/collection.hpp"

namespace archibald {

class cluster_feed;

class sync_service {
 public:
  using results_done = std::function<void(store_status, boost::json::array results)>;
  using remove_done = std::function<void(store_status, bool found)>;
  using list_done = std::function<void(store_status, std::vector<std::string> records)>;
  using publish_done = std::function<void(store_status, std::size_t delivered)>;
  using replay_done = std::function<void(store_status, event_window)>;

  // When the transport finished reading the request: the start of a write's stage timings.
  using received_at = std::chrono::steady_clock::time_point;

  sync_service(sync_store& store, connection_registry& registry, server_metrics& metrics);

  // records: the batch (already checked to be an array of at most 50); read only before
  // upsert returns, so they may live in the caller's arena.
  void upsert(const collection_spec& spec, std::string user_id, std::string fallback_device,
              boost::json::array records, received_at received, results_done done);
  void remove(const collection_spec& spec, std::string user_id, std::string record_id,
              std::string device_id, received_at received, remove_done done);
  void list(const collection_spec& spec, std::string user_id,
            std::optional<std::int64_t> updated_after, list_done done);
  // A durable event gets a seq and is logged; a transient one only fanned out.
  void publish(std::string user_id, std::string type, boost::json::value payload, bool transient,
               received_at received, publish_done done);
  // Up to `limit` events after a seq, or after a time (epoch ms) when after_ms is set.
  void replay(std::string user_id, std::int64_t after_seq, std::optional<std::int64_t> after_ms,
              std::size_t limit, replay_done done);

  bool ready() const { return store_.ready(); }
  // Several nodes (PostgreSQL): durable events go out through the feed, in seq order with the
  // other nodes' events, instead of straight to the registry. Set before serving.
  void use_cluster_feed(cluster_feed* feed) { feed_ = feed; }
  // On several nodes, a device that connects without a lastSeq must still get every event
  // committed after it connected, also one of another node whose hint has not come yet. When
  // its user is not followed here from a position the store gave, it asks for the events of the
  // last join_lookback (the nodes' clocks agree within it): it may get one committed just before
  // it connected, never miss one committed after.
  bool joins_with_replay(std::string_view user_id) const;
  static constexpr std::chrono::milliseconds join_lookback{1000};

 private:
  // A durable write's moments, for metrics_.write_stages.
  struct stage_clock {
    received_at received, queued, begun;
  };
  // A committed durable event to the user's devices: through the cluster feed, or directly.
  std::size_t deliver(const std::string& user_id, const shared_message& event);
  void record_queued(stage_clock& c);  // now queued: the handle stage ends
  // Now committed: records the queue and commit stages, returns the moment.
  received_at record_committed(const stage_clock& c);
  void record_fanned_out(received_at committed);

  sync_store& store_;
  connection_registry& registry_;
  cluster_feed* feed_ = nullptr;
  server_metrics& metrics_;
};

}  // namespace archibald
