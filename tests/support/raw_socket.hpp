// A blocking TCP client that sends exactly the bytes a test gives it: hand-made HTTP requests
// (smuggling, bad framing) and hand-made WebSocket frames (fragments, lying lengths) that a
// well-behaved client library would refuse to produce. Tests only; one thread per socket.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

namespace archibald::testing {

class raw_socket {
 public:
  raw_socket(std::uint16_t port, int receive_timeout_s = 3) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    timeval tv{receive_timeout_s, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_socket() { ::close(fd_); }
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  bool connected() const { return connected_; }

  // False when the peer reset the connection before everything was sent.
  bool send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Everything until the peer closes, resets or stays silent for the receive timeout;
  // closed_by_peer() then tells whether the peer ended the connection (EOF or reset).
  std::string read_all() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd_, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
    closed_by_peer_ = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    return out;
  }
  bool closed_by_peer() const { return closed_by_peer_; }

  // Exactly n bytes, or fewer when the connection ends first.
  std::string read_exactly(std::size_t n) {
    std::string out;
    char buf[4096];
    while (out.size() < n) {
      const ssize_t got = ::recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
      if (got <= 0) break;
      out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
  }

  // Sends an upgrade request and reads the response header; the HTTP status, 0 on failure.
  int upgrade(const std::string& target) {
    send_all("GET " + target +
             " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
      const std::string byte = read_exactly(1);
      if (byte.empty()) return 0;
      head += byte;
    }
    return head.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(head.substr(9, 3)) : 0;
  }

  // Reads server frames until a close frame: its code, or 1006 when the connection ends
  // without one (reset, EOF, timeout), as a browser reports it.
  int read_close_code() {
    while (true) {
      const std::string head = read_exactly(2);
      if (head.size() < 2) return 1006;
      const int opcode = static_cast<unsigned char>(head[0]) & 0x0F;
      std::uint64_t length = static_cast<unsigned char>(head[1]) & 0x7F;
      if (length >= 126) {
        const std::string ext = read_exactly(length == 126 ? 2 : 8);
        length = 0;
        for (char c : ext) length = (length << 8) | static_cast<unsigned char>(c);
      }
      const std::string payload = read_exactly(static_cast<std::size_t>(length));
      if (payload.size() < length) return 1006;
      if (opcode == 0x8) {
        if (payload.size() < 2) return 1005;
        return (static_cast<unsigned char>(payload[0]) << 8) |
               static_cast<unsigned char>(payload[1]);
      }
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_by_peer_ = false;
};

// A client frame header (masked, zero mask key, so the payload goes as is) declaring `length`.
inline std::string frame_header(int opcode, bool fin, std::uint64_t length) {
  std::string h;
  h += static_cast<char>((fin ? 0x80 : 0) | opcode);
  if (length < 126) {
    h += static_cast<char>(0x80 | length);
  } else if (length <= 0xFFFF) {
    h += static_cast<char>(0x80 | 126);
    h += static_cast<char>(length >> 8);
    h += static_cast<char>(length & 0xFF);
  } else {
    h += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) h += static_cast<char>((length >> shift) & 0xFF);
  }
  h.append(4, '\0');  // masking key 0: masking leaves the payload unchanged
  return h;
}

inline std::string client_frame(int opcode, bool fin, std::string_view payload) {
  return frame_header(opcode, fin, payload.size()) + std::string(payload);
}

}  // namespace archibald::testing
