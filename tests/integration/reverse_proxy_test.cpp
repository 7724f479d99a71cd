// docs/deploy/nginx.conf in front of the real server: Debian's nginx, started on a free port
// with that file (its ports, certificate paths and log paths pointed at the test's own), carries
// a device pair over wss:// — events, ping / pong, the server's 1001 on SIGTERM — and keeps
// tokens out of its access log. Skipped when nginx is not installed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/realtime_helpers.hpp"
#include "support/test_pki.hpp"

namespace archibald::testing {
namespace {

constexpr const char* nginx_bin = "/usr/sbin/nginx";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// nginx in the foreground with a configuration made from the deploy file; stopped at the end.
class nginx_process {
 public:
  nginx_process(const test_pki& pki, std::uint16_t listen_port, std::uint16_t server_port)
      : dir_(pki.dir + "/nginx"), port_(listen_port) {
    std::filesystem::create_directories(dir_);
    std::string site = read_file(std::string(ARCHIBALD_SOURCE_DIR) + "/docs/deploy/nginx.conf");
    const auto replace = [&site](const std::string& pattern, const std::string& with) {
      const std::string before = site;
      site = std::regex_replace(site, std::regex(pattern), with);
      if (site == before) throw std::runtime_error("nginx.conf no longer has " + pattern);
    };
    replace(R"(listen 443 ssl;)", "listen 127.0.0.1:" + std::to_string(listen_port) + " ssl;");
    replace(R"(\n *listen \[::\]:443 ssl;)", "");
    replace(R"(server 127\.0\.0\.1:3000;)",
            "server 127.0.0.1:" + std::to_string(server_port) + ";");
    replace(R"(/etc/ssl/archibald-realtime/fullchain\.pem)", pki.cert);
    replace(R"(/etc/ssl/archibald-realtime/privkey\.pem)", pki.key);
    replace(R"(/var/log/nginx/archibald-realtime\.access\.log)", access_log());
    std::ofstream(dir_ + "/site.conf") << site;
    std::ofstream(dir_ + "/nginx.conf")
        << "daemon off;\nmaster_process off;\npid " << dir_ << "/nginx.pid;\n"
        << "error_log " << dir_ << "/error.log info;\n"
        << "events { worker_connections 256; }\n"
        << "http {\n  access_log off;\n"
        << "  client_body_temp_path " << dir_ << "/body;\n  proxy_temp_path " << dir_
        << "/proxy;\n  fastcgi_temp_path " << dir_ << "/fastcgi;\n  uwsgi_temp_path " << dir_
        << "/uwsgi;\n  scgi_temp_path " << dir_ << "/scgi;\n"
        << "  include " << dir_ << "/site.conf;\n}\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(nginx_bin, nginx_bin, "-p", dir_.c_str(), "-c", (dir_ + "/nginx.conf").c_str(),
              nullptr);
      ::_exit(127);
    }
  }
  ~nginx_process() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::string access_log() const { return dir_ + "/access.log"; }
  std::string error_log() const { return read_file(dir_ + "/error.log"); }

 private:
  std::string dir_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

std::unique_ptr<ws_client> device_through(std::uint16_t port, const tls_client_context& tls,
                                          const std::string& user) {
  auto client = std::make_unique<ws_client>();
  client->use_tls(&tls);
  EXPECT_EQ(client->connect("127.0.0.1", port, "/ws/realtime"), "");
  EXPECT_TRUE(
      client->send_text(R"({"type":"AUTH","token":")" + server_process::token(user) + R"("})"));
  EXPECT_EQ(next_event(*client).at("type"), "AUTH_OK");
  return client;
}

TEST(ReverseProxy, NginxWithTheDeployConfigCarriesADevicePairAndTheShutdownClose) {
  if (::access(nginx_bin, X_OK) != 0) GTEST_SKIP() << "nginx not installed (apt-get install nginx)";
  test_pki pki;
  server_process server;
  const std::uint16_t port = free_loopback_port();
  nginx_process nginx(pki, port, server.port());
  const tls_client_context tls{tls_client_options{.ca_file = pki.ca_cert}};
  http_result health;
  for (int i = 0; i < 250 && health.status != 200; ++i) {
    health = http_request("127.0.0.1", port, "GET", "/health/ready", {}, {}, 1s, &tls);
    if (health.status != 200) std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(health.status, 200) << health.error << "\n" << nginx.error_log();

  auto phone = device_through(port, tls, "u-1");
  auto tablet = device_through(port, tls, "u-1");
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 2));
  const auto write = http_request("127.0.0.1", port, "POST", "/api/sync/draft-orders",
                                  R"({"drafts":[)" + draft_json("d-1", 1) + "]}",
                                  {{"Authorization", server_process::bearer("u-1")}}, 5s, &tls);
  ASSERT_EQ(write.status, 200) << write.body;
  EXPECT_EQ(next_event(*phone).at("payload").at("draftId"), "d-1");
  EXPECT_EQ(next_event(*tablet).at("payload").at("draftId"), "d-1");
  ASSERT_TRUE(phone->send_text("ping"));
  EXPECT_EQ(phone->read(5s).text, "pong");

  // A URL token through the proxy: it works, and the access log has the path only.
  const std::string url_token = server_process::token("u-2");
  ws_client by_url;
  by_url.use_tls(&tls);
  ASSERT_EQ(by_url.connect("127.0.0.1", port, "/ws/realtime?token=" + url_token), "");
  ASSERT_TRUE(by_url.send_text("ping"));
  EXPECT_EQ(by_url.read(5s).text, "pong");

  ASSERT_EQ(server.stop(SIGTERM, 10s), 0);
  for (ws_client* c : {phone.get(), tablet.get(), &by_url}) {
    const auto ev = c->read(5s);
    ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.error;
    EXPECT_EQ(ev.close_code, 1001);
  }
  const std::string log = read_file(nginx.access_log());
  EXPECT_NE(log.find("/ws/realtime"), std::string::npos) << log;
  EXPECT_EQ(log.find(url_token.substr(url_token.rfind('.') + 1)), std::string::npos) << log;
}

}  // namespace
}  // namespace archibald::testing
