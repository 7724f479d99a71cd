// A small blocking WebSocket client with timeouts, for tests and tools: connect, send, read
// the next message or close. Not thread-safe: one thread drives one client. A read that times
// out stays pending, so the next read() picks up where it left off without losing a frame.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archibald {

class tls_client_context;

using header_list = std::vector<std::pair<std::string, std::string>>;

struct ws_event {
  enum class kind {
    message,  // text / binary holds the payload
    closed,   // the server sent a close frame: close_code, close_reason
    timeout,  // nothing arrived in time; the read stays pending
    error,    // the connection ended without a close frame (reset, EOF, ...): error
  };
  kind what = kind::error;
  std::string text;
  bool binary = false;
  std::uint16_t close_code = 0;
  std::string close_reason;
  std::string error;
};

class ws_client {
 public:
  ws_client();
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  // wss://: the next connect() speaks TLS with these settings (the context must outlive it).
  void use_tls(const tls_client_context* tls) { tls_ = tls; }

  // TCP connect (+ TLS handshake) + WebSocket handshake. Empty on success, else what went
  // wrong ("HTTP 403: ...", "tls handshake: certificate verify failed").
  std::string connect(const std::string& host, std::uint16_t port, const std::string& target,
                      const header_list& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  int handshake_status() const { return handshake_status_; }

  bool send_text(std::string_view text,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool send_binary(std::string_view bytes,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ws_event read(std::chrono::milliseconds timeout);

  // Sends a close frame and waits (bounded) for the server's.
  void close(std::uint16_t code = 1000,
             std::chrono::milliseconds timeout = std::chrono::seconds(2));
  // Drops the TCP connection without a close frame (an abrupt disconnect).
  void abort();
  bool is_open() const;

  std::size_t pings_received() const { return pings_received_; }

 private:
  struct impl;
  bool send(std::string_view data, bool binary, std::chrono::milliseconds timeout);
  std::unique_ptr<impl> impl_;
  int handshake_status_ = 0;
  std::size_t pings_received_ = 0;
  const tls_client_context* tls_ = nullptr;
};

}  // namespace archibald
