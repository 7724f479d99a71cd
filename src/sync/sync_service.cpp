#include "sync/sync_service.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <memory>

#include "protocol/clock.hpp"
#include "protocol/envelope.hpp"
#include "sync/cluster_feed.hpp"
#include "sync/record_rules.hpp"

namespace archibald {
namespace {

namespace json = boost::json;
using steady = std::chrono::steady_clock;

std::string event_type(const collection_spec& spec, event_kind kind) {
  std::string type(spec.event_prefix);
  type += kind == event_kind::created   ? "_CREATED"
          : kind == event_kind::updated ? "_UPDATED"
                                        : "_DELETED";
  return type;
}

json::value device_or_null(const std::string& device) {
  return device.empty() ? json::value(nullptr) : json::value(device);
}

// Gives the event the user's next seq, logs it, and returns the frame to fan out.
// payload: the event's payload as JSON text.
shared_message log_event(store_transaction& t, const std::string& user_id, std::string_view type,
                         std::string_view payload, const std::string& timestamp,
                         std::int64_t now_ms) {
  const std::int64_t seq = t.next_seq(user_id);
  std::string frame = serialize_envelope_text(type, payload, timestamp, seq);
  t.append_event(user_id, {seq, now_ms, frame});
  return share(std::move(frame), seq);
}

// A record event's payload, around the stored record's JSON text (not parsed again):
// {"<id key>": id, "<record key>": record, "timestamp": …, "deviceId": device or null}
std::string record_payload(const collection_spec& spec, std::string_view id,
                           std::string_view record_json, std::string_view timestamp,
                           std::string_view device) {
  std::string out;
  out.reserve(96 + spec.id_key.size() + spec.record_key.size() + id.size() + record_json.size() +
              device.size());
  out.append("{\"").append(spec.id_key).append("\":");
  append_json_string(out, id);
  out.append(",\"").append(spec.record_key).append("\":").append(record_json);
  out.append(",\"timestamp\":\"").append(timestamp).append("\",\"deviceId\":");
  if (device.empty()) {
    out += "null";
  } else {
    append_json_string(out, device);
  }
  out += '}';
  return out;
}

json::object result(std::string_view id, std::string_view action,
                    const json::storage_ptr& storage) {
  json::object out(3, storage);
  out.emplace("id", id);
  out.emplace("action", action);
  return out;
}

// A write left as it was: the server's version is newer, or the same one was sent again.
json::object skipped(std::string_view id, std::string_view reason, std::int64_t server_updated_at,
                     const json::storage_ptr& storage) {
  json::object out = result(id, "skipped", storage);
  out["reason"] = reason;
  out["serverUpdatedAt"] = server_updated_at;
  return out;
}

}  // namespace

sync_service::sync_service(sync_store& store, connection_registry& registry,
                           server_metrics& metrics)
    : store_(store), registry_(registry), metrics_(metrics) {}

std::size_t sync_service::deliver(const std::string& user_id, const shared_message& event) {
  return feed_ ? feed_->committed(user_id, event) : registry_.send_to_user(user_id, event);
}

void sync_service::record_queued(stage_clock& c) {
  c.queued = steady::now();
  metrics_.write_stages.record(write_stage::handle, c.queued - c.received);
}

sync_service::received_at sync_service::record_committed(const stage_clock& c) {
  const auto now = steady::now();
  metrics_.write_stages.record(write_stage::queue, c.begun - c.queued);
  metrics_.write_stages.record(write_stage::commit, now - c.begun);
  return now;
}

void sync_service::record_fanned_out(received_at committed) {
  metrics_.write_stages.record(write_stage::fanout, steady::now() - committed);
}

void sync_service::upsert(const collection_spec& spec, std::string user_id,
                          std::string fallback_device, json::array records, received_at received,
                          results_done done) {
  const auto now = wall_clock::now();
  const std::int64_t now_ms = epoch_ms(now);

  // Validation needs no storage: do it here, keep the input order for the results.
  struct work {
    // The batch's checked records and results live in one arena, freed with the work.
    json::storage_ptr arena = json::make_shared_resource<json::monotonic_resource>(4096);
    json::array results = json::array(arena);
    std::vector<checked_record> valid;
    std::vector<std::size_t> slot;  // results index of each valid record
    std::vector<shared_message> events;
    stage_clock clock;
  };
  auto w = std::make_shared<work>();
  w->clock.received = received;
  w->results.reserve(records.size());
  for (const auto& value : records) {
    checked_record r = check_record(spec, value, fallback_device, now_ms, w->arena);
    if (!r.error.empty()) {
      json::object rejected = result(r.id, "rejected", w->arena);
      rejected["reason"] = "invalid_data";
      rejected["error"] = r.error;
      w->results.push_back(std::move(rejected));
      continue;
    }
    w->slot.push_back(w->results.size());
    w->results.push_back(nullptr);
    w->valid.push_back(std::move(r));
  }
  if (w->valid.empty()) return done(store_status::ok, std::move(w->results));

  const std::string timestamp = iso8601_utc_ms(now);
  auto job = [this, w, &spec, user_id, timestamp, now_ms](store_transaction& t) {
    w->clock.begun = steady::now();
    w->events.clear();
    for (std::size_t i = 0; i < w->valid.size(); ++i) {
      checked_record& r = w->valid[i];
      const auto existing = t.find(spec.name, r.id);
      json::value& out = w->results[w->slot[i]];
      switch (decide_merge(existing, user_id, r.updated_at)) {
        case merge_action::reject_foreign: {
          add(metrics_.ownership_violations);
          json::object rejected = result(r.id, "rejected", w->arena);
          rejected["reason"] = "forbidden";
          out = std::move(rejected);
          continue;
        }
        case merge_action::skip_server_newer:
          out = skipped(r.id, "server_newer", existing->updated_at, w->arena);
          continue;
        case merge_action::create:
        case merge_action::update:
          break;
      }
      const bool created = !existing;
      const stored_record merged = merge_record(r, existing, user_id, now_ms);
      if (repeats_stored(existing, merged)) {
        out = skipped(r.id, "unchanged", existing->updated_at, w->arena);
        continue;
      }
      t.put(spec.name, merged);
      w->events.push_back(log_event(
          t, user_id, event_type(spec, created ? event_kind::created : event_kind::updated),
          record_payload(spec, r.id, merged.data, timestamp, r.device_id), timestamp, now_ms));
      out = result(r.id, created ? "created" : "updated", w->arena);
    }
  };
  write_keys keys{user_id, spec.name, {}};
  keys.ids.reserve(w->valid.size());
  for (const checked_record& r : w->valid) keys.ids.emplace_back(r.id);
  record_queued(w->clock);
  store_.write(std::move(keys), std::move(job),
               [this, w, user_id, done = std::move(done)](store_status status) {
                 if (status != store_status::ok) return done(status, {});
                 const auto committed = record_committed(w->clock);
                 for (const auto& e : w->events) deliver(user_id, e);
                 record_fanned_out(committed);
                 add(metrics_.events_published, w->events.size());
                 done(status, std::move(w->results));
               });
}

void sync_service::remove(const collection_spec& spec, std::string user_id, std::string record_id,
                          std::string device_id, received_at received, remove_done done) {
  const auto now = wall_clock::now();
  struct work {
    bool found = false;
    shared_message event;
    stage_clock clock;
  };
  auto w = std::make_shared<work>();
  w->clock.received = received;
  auto job = [this, w, &spec, user_id, record_id, device_id, now](store_transaction& t) {
    w->clock.begun = steady::now();
    const auto existing = t.find(spec.name, record_id);
    w->found = existing && existing->user_id == user_id;
    w->event.reset();
    if (!w->found) {
      if (existing) add(metrics_.ownership_violations);
      return;
    }
    t.erase(spec.name, record_id);
    const std::string timestamp = iso8601_utc_ms(now);
    const json::value payload = json::object{{spec.id_key, record_id},
                                             {"deleted", true},
                                             {"timestamp", timestamp},
                                             {"deviceId", device_or_null(device_id)}};
    w->event = log_event(t, user_id, event_type(spec, event_kind::deleted),
                         json::serialize(payload), timestamp, epoch_ms(now));
  };
  record_queued(w->clock);
  store_.write({user_id, spec.name, {record_id}}, std::move(job),
               [this, w, user_id, done = std::move(done)](store_status status) {
                 if (status == store_status::ok && w->event) {
                   const auto committed = record_committed(w->clock);
                   deliver(user_id, w->event);
                   record_fanned_out(committed);
                   add(metrics_.events_published);
                 }
                 done(status, status == store_status::ok && w->found);
               });
}

void sync_service::list(const collection_spec& spec, std::string user_id,
                        std::optional<std::int64_t> updated_after, list_done done) {
  store_.read([&spec, user_id, updated_after, done = std::move(done)](store_reader& r,
                                                                      store_status status) {
    if (status != store_status::ok) return done(status, {});
    auto records = r.list(spec.name, user_id, updated_after);
    if (r.failed()) return done(store_status::unavailable, {});
    done(store_status::ok, std::move(records));
  });
}

void sync_service::publish(std::string user_id, std::string type, json::value payload,
                           bool transient, received_at received, publish_done done) {
  const auto now = wall_clock::now();
  const std::string timestamp = iso8601_utc_ms(now);
  if (transient || user_id == "*") {
    const shared_message message =
        share(serialize_envelope({.type = type, .payload = payload, .timestamp = timestamp}));
    const std::size_t delivered =
        user_id == "*" ? registry_.send_to_all(message) : registry_.send_to_user(user_id, message);
    add(metrics_.events_published);
    return done(store_status::ok, delivered);
  }
  struct work {
    shared_message event;
    stage_clock clock;
  };
  auto w = std::make_shared<work>();
  w->clock.received = received;
  // Serialised here, on the caller's thread: the writer thread only stores and fans out.
  auto job = [w, user_id, type, payload = json::serialize(payload), timestamp,
              now](store_transaction& t) {
    w->clock.begun = steady::now();
    w->event = log_event(t, user_id, type, payload, timestamp, epoch_ms(now));
  };
  record_queued(w->clock);
  store_.write({user_id, {}, {}}, std::move(job),
               [this, w, user_id, done = std::move(done)](store_status status) {
                 if (status != store_status::ok) return done(status, 0);
                 const auto committed = record_committed(w->clock);
                 const std::size_t delivered = deliver(user_id, w->event);
                 record_fanned_out(committed);
                 add(metrics_.events_published);
                 done(status, delivered);
               });
}

bool sync_service::joins_with_replay(std::string_view user_id) const {
  return feed_ && !feed_->follows(user_id);
}

void sync_service::replay(std::string user_id, std::int64_t after_seq,
                          std::optional<std::int64_t> after_ms, std::size_t limit,
                          replay_done done) {
  store_.read([this, user_id, after_seq, after_ms, limit, done = std::move(done)](
                  store_reader& r, store_status status) {
    if (status != store_status::ok) return done(status, {});
    event_window w = after_ms ? r.events_after_time(user_id, *after_ms, limit)
                              : r.events_after_seq(user_id, after_seq, limit);
    if (r.failed()) return done(store_status::unavailable, {});
    if (feed_) feed_->replayed(user_id, w.last_seq);
    done(store_status::ok, std::move(w));
  });
}

}  // namespace archibald
