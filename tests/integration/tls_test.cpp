// TLS on the server's own port (wss://, https://) against the real server, with a throwaway CA
// made by openssl for each test: events and replay, verification, require and flex, a
// certificate reloaded on SIGHUP (and a broken one refused), old protocol versions refused, and
// the hostile inputs that matter over TLS.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "metrics/prometheus_writer.hpp"
#include "support/raw_socket.hpp"
#include "support/realtime_helpers.hpp"
#include "support/test_pki.hpp"

namespace archibald::testing {
namespace {

server_process::env_list tls_env(const test_pki& pki, server_process::env_list more = {}) {
  more.emplace_back("TLS_CERT", pki.cert);
  more.emplace_back("TLS_KEY", pki.key);
  return more;
}

// A device on wss:// that authenticated with its first message.
std::unique_ptr<ws_client> open_wss(server_process& server, const tls_client_context& tls,
                                    const std::string& user, const std::string& query = {}) {
  auto client = std::make_unique<ws_client>();
  client->use_tls(&tls);
  EXPECT_EQ(client->connect(server.host(), server.port(), "/ws/realtime" + query), "");
  EXPECT_TRUE(
      client->send_text(R"({"type":"AUTH","token":")" + server_process::token(user) + R"("})"));
  EXPECT_EQ(next_event(*client).at("type"), "AUTH_OK");
  return client;
}

std::int64_t metric(server_process& server, const tls_client_context* tls, const char* name) {
  const auto r = http_request(server.host(), server.port(), "GET", "/metrics", {}, {}, 5s, tls);
  const auto v = prometheus_sample(r.body, name);
  return v ? static_cast<std::int64_t>(*v) : -1;
}

// A blocking handshake with exactly one protocol version and the given ALPN offer: the version
// negotiated ("TLSv1.2") and the protocol selected, or empty on failure.
struct handshake_outcome {
  std::string version, alpn;
};
handshake_outcome handshake_with(std::uint16_t port, int version,
                                 std::string_view alpn = "\x08http/1.1") {
  handshake_outcome out;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);  // let the client offer what a modern server must refuse
  SSL_CTX_set_cipher_list(ctx, "DEFAULT@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(alpn.data()),
                          static_cast<unsigned>(alpn.size()));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      out.version = SSL_get_version(ssl);
      const unsigned char* selected = nullptr;
      unsigned length = 0;
      SSL_get0_alpn_selected(ssl, &selected, &length);
      out.alpn.assign(reinterpret_cast<const char*>(selected), length);
    }
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  return out;
}

class Tls : public ::testing::Test {
 protected:
  test_pki pki;
  tls_client_context verified{tls_client_options{.ca_file = pki.ca_cert}};
};

TEST_F(Tls, WssDeliversEventsAndReplaysWithAVerifiedCertificate) {
  server_process server(tls_env(pki));
  auto phone = open_wss(server, verified, "u-1");
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 1));
  ASSERT_EQ(post_drafts(server, "u-1", draft_json("d-1", 1)).status, 200);
  ASSERT_EQ(post_drafts(server, "u-1", draft_json("d-2", 2)).status, 200);
  EXPECT_EQ(next_event(*phone).at("seq"), 1);
  EXPECT_EQ(next_event(*phone).at("seq"), 2);
  ASSERT_TRUE(phone->send_text("ping"));
  EXPECT_EQ(phone->read(5s).text, "pong");

  auto tablet = open_wss(server, verified, "u-1", "?lastSeq=1");  // replay over TLS
  const auto replayed = next_event(*tablet);
  EXPECT_EQ(replayed.at("seq"), 2);
  EXPECT_EQ(replayed.at("payload").at("draftId"), "d-2");
  EXPECT_GE(metric(server, &verified, "archibald_tls_handshakes_total"), 4);
}

TEST_F(Tls, AClientThatDoesNotTrustTheCertificateIsRefusedAndInsecureSkipsTheCheck) {
  server_process server(tls_env(pki));
  const tls_client_context system_store{tls_client_options{}};
  ws_client untrusting;
  untrusting.use_tls(&system_store);
  const std::string error = untrusting.connect(server.host(), server.port(), "/ws/realtime");
  EXPECT_NE(error.find("tls handshake"), std::string::npos) << error;
  EXPECT_NE(error.find("certificate verify failed"), std::string::npos) << error;
  ws_client insecure;
  insecure.use_tls(&insecure_tls());
  EXPECT_EQ(insecure.connect(server.host(), server.port(), "/ws/realtime"), "");
}

TEST_F(Tls, APlainRequestOnATlsOnlyPortIsAnswered400AndClosed) {
  server_process server(tls_env(pki));
  const auto r = http_request(server.host(), server.port(), "GET", "/health/live");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("TLS only"), std::string::npos) << r.body;
  ws_client plain;
  EXPECT_NE(plain.connect(server.host(), server.port(), "/ws/realtime"), "");
  EXPECT_EQ(metric(server, &verified, "archibald_tls_plain_refused_total"), 2);
}

TEST_F(Tls, FlexServesPlainAndTlsOnTheSamePort) {
  server_process server(tls_env(pki, {{"TLS_MODE", "flex"}}));
  auto secure = open_wss(server, verified, "u-1");
  auto plain = std::make_unique<ws_client>();
  ASSERT_EQ(plain->connect(server.host(), server.port(), "/ws/realtime"), "");
  ASSERT_TRUE(
      plain->send_text(R"({"type":"AUTH","token":")" + server_process::token("u-1") + R"("})"));
  EXPECT_EQ(next_event(*plain).at("type"), "AUTH_OK");
  EXPECT_EQ(http_request(server.host(), server.port(), "GET", "/health/live").status, 200);
  ASSERT_EQ(publish(server, "u-1", "BOTH").status, 200);
  EXPECT_EQ(next_event(*secure).at("type"), "BOTH");
  EXPECT_EQ(next_event(*plain).at("type"), "BOTH");
}

TEST_F(Tls, SighupReloadsTheCertificateWithoutDroppingConnectionsAndKeepsItOnABrokenFile) {
  // The server reads the pair from these paths; the test replaces the files.
  const std::string cert = pki.dir + "/live.crt", key = pki.dir + "/live.key";
  std::filesystem::copy_file(pki.cert, cert);
  std::filesystem::copy_file(pki.key, key);
  server_process server({{"TLS_CERT", cert}, {"TLS_KEY", key}});
  auto device = open_wss(server, verified, "u-1");
  EXPECT_NE(presented_subject(server.port()).find("archibald-test-a"), std::string::npos);

  std::filesystem::copy_file(pki.other_cert, cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(pki.other_key, key, std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server.log().find("TLS certificate reloaded") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  EXPECT_NE(presented_subject(server.port()).find("archibald-test-b"), std::string::npos);
  ASSERT_EQ(publish(server, "u-1", "AFTER_RELOAD").status, 200);
  EXPECT_EQ(next_event(*device).at("type"), "AFTER_RELOAD");  // the old connection stayed

  std::ofstream(cert, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nbroken\n";
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  const auto deadline2 = std::chrono::steady_clock::now() + 5s;
  while (server.log().find("not reloaded") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline2)
    std::this_thread::sleep_for(20ms);
  EXPECT_NE(server.log().find("not reloaded, the current one stays"), std::string::npos);
  EXPECT_NE(presented_subject(server.port()).find("archibald-test-b"), std::string::npos);
  auto later = open_wss(server, verified, "u-1");
  ASSERT_EQ(publish(server, "u-1", "STILL_SERVING").status, 200);
  EXPECT_EQ(next_event(*later).at("type"), "STILL_SERVING");
  EXPECT_EQ(next_event(*device).at("type"), "STILL_SERVING");
}

TEST_F(Tls, OnlyTls12And13AreSpokenWithAlpnHttp11) {
  server_process server(tls_env(pki));
  EXPECT_EQ(handshake_with(server.port(), TLS1_1_VERSION).version, "");
  EXPECT_EQ(handshake_with(server.port(), TLS1_VERSION).version, "");
  const auto tls12 = handshake_with(server.port(), TLS1_2_VERSION);
  EXPECT_EQ(tls12.version, "TLSv1.2");
  EXPECT_EQ(tls12.alpn, "http/1.1");
  EXPECT_EQ(handshake_with(server.port(), TLS1_3_VERSION).version, "TLSv1.3");
  EXPECT_EQ(handshake_with(server.port(), TLS1_3_VERSION, "\x02h2").version, "")
      << "a client that wants only h2 is refused (no_application_protocol)";
  EXPECT_EQ(metric(server, &verified, "archibald_tls_handshake_failures_total"), 3);
}

TEST_F(Tls, ASlowlorisInTheTlsHandshakeIsCutAtTheHandshakeTimeout) {
  server_process server(tls_env(pki, {{"HANDSHAKE_TIMEOUT_MS", "500"}}));
  raw_socket s(server.port(), 5);
  ASSERT_TRUE(s.send_all(std::string("\x16\x03\x01\x02", 4)));  // a ClientHello's first bytes
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(s.read_all(), "");  // the server closes
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, 3s);
  EXPECT_EQ(metric(server, &verified, "archibald_tls_handshake_failures_total"), 1);
  raw_socket silent(server.port(), 5);  // nothing at all: cut too
  EXPECT_EQ(silent.read_all(), "");
}

TEST_F(Tls, AnOversizeMessageOverTlsIsClosedWith1009) {
  server_process server(tls_env(pki, {{"MAX_MESSAGE_BYTES", "4096"}}));
  auto device = open_wss(server, verified, "u-1");
  ASSERT_TRUE(device->send_text(std::string(64 * 1024, 'x')));
  const auto ev = device->read(5s);
  ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.error;
  EXPECT_EQ(ev.close_code, 1009);
}

}  // namespace
}  // namespace archibald::testing
