// An asynchronous WebSocket client connection for tools that hold thousands at once (the
// load generator, the footprint bench): connect (optionally from a given source address),
// a read loop that hands every message to a listener, a send queue, close. Single-threaded:
// everything runs on the io_context it was made with; the listener is called there.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace archibald {

class tls_client_context;

class ws_async_listener {
 public:
  virtual ~ws_async_listener() = default;
  // Handshake done (connect_time: TCP connect + handshake).
  virtual void on_open(std::uint64_t id, std::chrono::nanoseconds connect_time) = 0;
  virtual void on_message(std::uint64_t id, std::string_view text) = 0;
  // The connection could not be opened, or ended (close_code 0: no close frame). Not called
  // after close() or abandon().
  virtual void on_down(std::uint64_t id, bool was_open, std::uint16_t close_code,
                       std::string_view error) = 0;
};

struct ws_async_target {
  std::string address;  // numeric server address
  std::uint16_t port = 0;
  std::string target;                         // "/ws/realtime?token=..."
  std::string source_address;                 // numeric local address to connect from; empty: any
  std::chrono::milliseconds timeout{10'000};  // connect + handshake
  const tls_client_context* tls = nullptr;    // wss:// (outlives the connection); null: ws://
  std::string server_name{};  // TLS: the name checked and sent (SNI); empty: the address
};

class ws_async_connection {
 public:
  ws_async_connection(boost::asio::io_context& ioc, ws_async_listener& listener, std::uint64_t id);
  ~ws_async_connection();  // abandons a connection still open
  ws_async_connection(const ws_async_connection&) = delete;
  ws_async_connection& operator=(const ws_async_connection&) = delete;

  // Starts connecting; a connection already open or opening is abandoned first.
  void connect(const ws_async_target& target);
  // Queues a text frame; false when not open (nothing is queued then).
  bool send(std::string text);
  // Graceful close (close frame, bounded wait); no further listener calls.
  void close();
  // Drops the connection at once (reset); no further listener calls.
  void abandon();
  bool is_open() const;
  std::size_t queued() const;

 private:
  struct session;
  boost::asio::io_context& ioc_;
  ws_async_listener& listener_;
  std::uint64_t id_;
  std::shared_ptr<session> session_;
};

}  // namespace archibald
