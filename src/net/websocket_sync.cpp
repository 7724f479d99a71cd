// The durable-sync half of websocket_session (DESIGN §2.2): client writes answered with ACK /
// ERROR, and gap-free replay on connect (docs/REPLAY.md). Strand-only, like the rest of it.
#include <boost/asio/post.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "net/websocket_session.hpp"
#include "protocol/clock.hpp"
#include "sync/collection.hpp"
#include "sync/record_rules.hpp"

namespace archibald {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr std::size_t replay_page = 500;

std::string error_text(store_status status) {
  return status == store_status::busy ? "storage busy, retry later" : "storage unavailable";
}

}  // namespace

void websocket_session::answer(std::string_view type, std::string_view request_id,
                               json::value payload) {
  const std::string timestamp = iso8601_utc_ms(wall_clock::now());
  send(share(serialize_envelope(
      {.type = type, .payload = payload, .timestamp = timestamp, .request_id = request_id})));
}

bool websocket_session::on_client_write(std::string_view text) {
  auto envelope = parse_envelope(text);
  if (!envelope) return false;
  const write_type write = parse_write_type(envelope->type);
  if (!write.spec) return false;
  add(ctx_.metrics.ws_writes);

  const collection_spec& spec = *write.spec;
  const std::string request_id = envelope->request_id;
  auto fail = [this, &request_id](std::string message) {
    answer("ERROR", request_id, json::object{{"error", std::move(message)}});
    return true;
  };
  if (!envelope->payload.is_object()) return fail("payload must be an object");
  json::object& payload = envelope->payload.get_object();
  const auto* device = payload.if_contains("deviceId");
  std::string device_id =
      device && device->is_string() ? std::string(device->get_string()) : device_id_;
  auto self = shared_from_this();

  if (write.kind == event_kind::deleted) {
    const json::value* id = payload.if_contains(spec.id_key);
    if (!id) id = payload.if_contains("id");
    if (!id || !id->is_string() || id->get_string().empty())
      return fail(std::string(spec.id_key) + " must be a non-empty string");
    std::string record_id(id->get_string());
    ctx_.sync.remove(
        spec, user_id_, record_id, std::move(device_id),
        [self, request_id, record_id](store_status status, bool found) {
          if (status != store_status::ok)
            return self->answer("ERROR", request_id, json::object{{"error", error_text(status)}});
          if (!found)
            return self->answer("ERROR", request_id, json::object{{"error", "not found"}});
          self->answer("ACK", request_id,
                       json::object{{"results", json::array{json::object{{"id", record_id},
                                                                         {"action", "deleted"}}}}});
        });
    return true;
  }

  json::value* list = payload.if_contains(spec.list_key);
  if (!list) list = payload.if_contains(spec.alt_list_key);
  if (!list || !list->is_array()) return fail(std::string(spec.list_key) + " must be an array");
  if (list->get_array().size() > max_records_per_batch)
    return fail("at most 50 " + std::string(spec.list_key) + " per batch");
  ctx_.sync.upsert(
      spec, user_id_, std::move(device_id), std::move(list->get_array()),
      [self, request_id](store_status status, json::array results) {
        if (status != store_status::ok)
          return self->answer("ERROR", request_id, json::object{{"error", error_text(status)}});
        self->answer("ACK", request_id, json::object{{"results", std::move(results)}});
      });
  return true;
}

// ---------------------------------------------------------------- replay ---------------

void websocket_session::fetch_replay_page() {
  replay_more_ = false;
  const auto after_ms = std::exchange(replay_after_ms_, std::nullopt);
  ctx_.sync.replay(user_id_, replayed_seq_, after_ms, replay_page,
                   [self = shared_from_this()](store_status status, event_window window) {
                     asio::post(self->ws_.get_executor(),
                                [self, status, window = std::move(window)]() mutable {
                                  self->on_replay_page(status, std::move(window));
                                });
                   });
}

void websocket_session::on_replay_page(store_status status, event_window w) {
  if (close_started_ || ended_ || !replaying_) return;
  if (status != store_status::ok) {
    send_resync(0, 0);  // cannot tell what was missed: the client re-pulls over REST
    return finish_replay();
  }
  if (requested_seq_) {
    const std::int64_t asked = *std::exchange(requested_seq_, std::nullopt);
    // The client has seen more than the log ever held (another database), or the log no
    // longer reaches back to what it missed.
    const bool beyond = asked > w.last_seq;
    const bool trimmed = asked < w.last_seq && (w.first_seq == 0 || w.first_seq > asked + 1);
    if (beyond || trimmed) {
      send_resync(w.first_seq ? w.first_seq : w.last_seq + 1, w.last_seq);
      replayed_seq_ = w.last_seq;
      return finish_replay();
    }
  }
  for (auto& e : w.events) {
    if (e.seq <= replayed_seq_) continue;
    replayed_seq_ = e.seq;
    push_now(share(std::move(e.frame), e.seq));
  }
  if (w.events.size() < replay_page) return finish_replay();
  if (writing_ || head_ < queue_.size()) {
    replay_more_ = true;  // fetch the next page once this one is written
  } else {
    fetch_replay_page();
  }
}

void websocket_session::send_resync(std::int64_t oldest_seq, std::int64_t latest_seq) {
  add(ctx_.metrics.resyncs);
  const std::string timestamp = iso8601_utc_ms(wall_clock::now());
  json::object payload{{"oldestSeq", oldest_seq}, {"latestSeq", latest_seq}};
  if (const auto asked = requested_seq_.value_or(replayed_seq_); asked >= 0)
    payload["requestedAfter"] = asked;
  const json::value body = std::move(payload);
  push_now(share(
      serialize_envelope({.type = "RESYNC_REQUIRED", .payload = body, .timestamp = timestamp})));
}

void websocket_session::push_now(shared_message message) {
  queued_bytes_.fetch_add(message->size(), std::memory_order_relaxed);
  queue_.push_back(std::move(message));
  if (accepted_ && !writing_) do_write();
}

void websocket_session::finish_replay() {
  replaying_ = false;
  for (auto& m : held_) {
    if (m->seq != 0 && m->seq <= replayed_seq_) {  // already sent by the replay
      queued_bytes_.fetch_sub(m->size(), std::memory_order_relaxed);
      continue;
    }
    queue_.push_back(std::move(m));
  }
  held_.clear();
  if (accepted_ && !writing_ && head_ < queue_.size()) do_write();
}

}  // namespace archibald
