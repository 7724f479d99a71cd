// The messages a simulated device writes and how their answers and events are read: one
// place for the wire format of load writes (REST, WebSocket, publish). Every write carries a
// key, unique and increasing per user, as the draft's updatedAt (publish: payload.updatedAt),
// which is how its event is recognised on every device. Pure; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "load/load_options.hpp"

namespace archibald::load {

struct write_request {
  const std::string& user_id;
  std::size_t user_index;
  std::size_t device;
  std::int64_t key;
  std::size_t items;
};

// POST /api/sync/draft-orders body: one draft (one of five per user, so updates dominate).
std::string rest_write_body(const write_request& w);
// The WebSocket write: {"type":"DRAFT_UPDATED","requestId":"<key>","payload":{"drafts":[…]}}.
std::string ws_write_frame(const write_request& w);
// POST /api/realtime/publish body: a durable LOAD_EVENT to the user.
std::string publish_write_body(const write_request& w);

// Whether the server applied the write (HTTP answer / WebSocket ACK).
bool write_accepted(write_mode mode, int status, std::string_view body);
bool ack_accepted(const boost::json::object& ack);
// A short reason for a failed HTTP write, for the summary's error list.
std::string write_error(int status, std::string_view transport_error, std::string_view body);

// The key of a load write's event; nullopt for anything else.
std::optional<std::int64_t> event_key(const boost::json::object& event);
std::int64_t parse_key(std::string_view text);  // a requestId; 0 when not a key

}  // namespace archibald::load
