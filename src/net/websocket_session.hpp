// One client WebSocket on /ws/realtime: handshake, read loop (text ping → pong), one bounded
// outbound queue, heartbeat, close handshakes. All state lives on the session's event loop
// (one thread); other threads reach it only through the connection interface (send / close /
// heartbeat), which posts to that loop and never blocks.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fanout/connection.hpp"
#include "http/server_context.hpp"
#include "http/websocket_admission.hpp"
#include "net/delivery_mailbox.hpp"
#include "net/lingering_stream.hpp"
#include "net/outbound_queue.hpp"
#include "net/socket_budget.hpp"
#include "store/sync_store.hpp"

namespace archibald {

class websocket_session final : public connection,
                                public std::enable_shared_from_this<websocket_session> {
 public:
  websocket_session(lingering_stream&& socket, const server_context& ctx, socket_slot slot);
  ~websocket_session() override;

  // Registers the user's connection (before the handshake answer, DESIGN §2.2), then accepts.
  void run(boost::beast::http::request<boost::beast::http::string_body> request,
           websocket_admission admission);

  // Any thread; the frame reaches the session through its loop's delivery_mailbox.
  send_result send(const shared_message& message) override;
  void close(std::uint16_t code, std::string_view reason) override;
  void heartbeat() override;

 private:
  friend class delivery_mailbox;  // calls enqueue() on the loop
  using clock = std::chrono::steady_clock;

  // Takes the verified claims: registers the user's connection, prepares the replay.
  void admit(jwt_claims claims, const websocket_admission& admission);
  void on_accept(boost::beast::error_code ec);
  // In-band authentication (websocket_auth.cpp): the first message of a connection opened
  // without a token, later AUTH messages (refresh), and the token's expiry.
  void start_auth_deadline();
  void on_first_message(std::string_view text);
  void on_refresh(std::string_view token);
  void send_auth_ok(std::int64_t expires_at);
  void watch_expiry(std::int64_t expires_at);
  void do_read();
  void on_first_read(boost::beast::error_code ec, std::size_t bytes);
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void on_message(std::size_t bytes);
  // Durable sync (websocket_sync.cpp): client writes (and AUTH refreshes), replay on connect.
  bool on_client_write(std::string_view text);
  void answer(std::string_view type, std::string_view request_id, boost::json::value payload);
  // A device without a lastSeq on several nodes (sync_service::joins_with_replay).
  void join_replay();
  void fetch_replay_page();
  void on_replay_page(store_status status, event_window window);
  void send_resync(std::int64_t oldest_seq, std::int64_t latest_seq);
  void finish_replay();
  // A live event whose seq the replay covered: the client has it (or asked past it).
  bool sent_by_replay(const outbound_frame& m) const {
    return m.seq != 0 && m.seq <= replayed_seq_;
  }
  // Queues a message of this connection's own (replay, RESYNC_REQUIRED, pong) at once, ahead
  // of held live events, counted in the outbound bytes like every other message.
  void push_now(shared_message message);
  bool within_rate_limit();
  void enqueue(outbound_queue::entry e);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void on_pong();
  void start_close(std::uint16_t code, std::string reason);
  void send_close_frame();
  void terminate();
  void unregister();
  void on_end(boost::beast::error_code ec);

  boost::beast::websocket::stream<lingering_stream> ws_;
  boost::beast::flat_buffer read_buffer_;
  const server_context& ctx_;
  delivery_mailbox& mailbox_;  // of this session's loop
  socket_slot slot_;
  std::string user_id_;
  std::string device_id_;

  outbound_queue outbound_;           // its byte count: any thread; the rest: this loop
  std::atomic<bool> closing_{false};  // no more sends accepted; any thread

  // Loop-only state.
  bool accepted_ = false;
  bool registered_ = false;
  bool close_started_ = false;
  bool ended_ = false;
  bool awaiting_pong_ = false;
  std::uint16_t close_code_ = 0;
  std::string close_reason_;
  clock::time_point ping_sent_;
  double rate_tokens_;
  clock::time_point rate_refilled_;
  std::unique_ptr<boost::asio::steady_timer> close_deadline_;  // only while closing
  // Until the AUTH message of a connection opened without a token: what the upgrade asked for.
  std::unique_ptr<websocket_admission> pending_auth_;
  // The AUTH message's deadline, then (WS_ENFORCE_TOKEN_EXPIRY) the token's expiry.
  std::unique_ptr<boost::asio::steady_timer> auth_timer_;

  // Replay on connect (loop-only): live messages are held in outbound_ until the log is sent.
  bool replay_more_ = false;       // a full page went out: fetch the next when the queue drains
  std::int64_t replayed_seq_ = 0;  // highest seq the client has (asked for or was sent)
  std::optional<std::int64_t> requested_seq_;    // lastSeq
  std::optional<std::int64_t> replay_after_ms_;  // lastEventTs, first page only
};

}  // namespace archibald
