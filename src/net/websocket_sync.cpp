// The durable-sync half of websocket_session (DESIGN §2.2): client writes answered with ACK /
// ERROR, and gap-free replay on connect (docs/REPLAY.md). Strand-only, like the rest of it.
#include <boost/asio/post.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "net/websocket_session.hpp"
#include "protocol/auth_message.hpp"
#include "protocol/clock.hpp"
#include "sync/collection.hpp"
#include "sync/write_request.hpp"

namespace archibald {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr std::size_t replay_page = 500;

}  // namespace

void websocket_session::answer(std::string_view type, std::string_view request_id,
                               json::value payload) {
  const std::string timestamp = iso8601_utc_ms(wall_clock::now());
  send(share(serialize_envelope(
      {.type = type, .payload = payload, .timestamp = timestamp, .request_id = request_id})));
}

bool websocket_session::on_client_write(std::string_view text) {
  const auto received = clock::now();
  auto envelope = parse_envelope(text);
  if (!envelope) return false;
  if (envelope->type == auth_message_type) {  // a token refresh (websocket_auth.cpp)
    on_refresh(parse_auth_message(text).value_or(""));
    return true;
  }
  const write_type type = parse_write_type(envelope->type);
  if (!type.spec) return false;
  add(ctx_.metrics.ws_writes);

  const std::string request_id = envelope->request_id;
  parsed_write parsed = parse_write_payload(*type.spec, type.kind, envelope->payload);
  if (!parsed.write) {
    answer("ERROR", request_id, json::object{{"error", parsed.error}});
    return true;
  }
  write_request& w = *parsed.write;
  std::string device_id = w.device_id.value_or(device_id_);
  auto self = shared_from_this();
  auto fail = [self, request_id](store_status status) {
    self->answer("ERROR", request_id, json::object{{"error", storage_error_text(status)}});
  };

  if (w.kind == event_kind::deleted) {
    ctx_.sync.remove(
        *w.spec, user_id_, w.record_id, std::move(device_id), received,
        [self, fail, request_id, record_id = w.record_id](store_status status, bool found) {
          if (status != store_status::ok) return fail(status);
          if (!found)
            return self->answer("ERROR", request_id, json::object{{"error", "not found"}});
          self->answer("ACK", request_id,
                       json::object{{"results", json::array{json::object{{"id", record_id},
                                                                         {"action", "deleted"}}}}});
        });
    return true;
  }
  ctx_.sync.upsert(*w.spec, user_id_, std::move(device_id), std::move(w.records), received,
                   [self, fail, request_id](store_status status, json::array results) {
                     if (status != store_status::ok) return fail(status);
                     self->answer("ACK", request_id, json::object{{"results", std::move(results)}});
                   });
  return true;
}

// ---------------------------------------------------------------- replay ---------------

void websocket_session::join_replay() {
  // Asked again now that the device is registered: a user followed here meanwhile needs none
  // (every event from now on reaches this device too).
  if (!ctx_.sync.joins_with_replay(user_id_)) return finish_replay();
  replay_after_ms_ = epoch_ms(wall_clock::now() - sync_service::join_lookback);
}

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
  if (close_started_ || ended_ || !outbound_.holding()) return;
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
  if (outbound_.writing() || outbound_.has_unwritten()) {
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
  outbound_.push_now(std::move(message));
  if (accepted_ && !outbound_.writing()) do_write();
}

void websocket_session::finish_replay() {
  outbound_.resume([this](const outbound_frame& m) { return sent_by_replay(m); });
  if (accepted_ && !outbound_.writing() && outbound_.has_unwritten()) do_write();
}

}  // namespace archibald
