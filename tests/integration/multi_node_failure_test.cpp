// Several nodes on one PostgreSQL when things fail (DESIGN §6): a node SIGKILLed, the database
// stopped as by a crash and started again, the nodes' LISTEN sessions terminated — each while
// writes go through every node. Every device of the user (moving to another node with lastSeq
// when its own is gone) must see every event once, in seq order, gap-free.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

#include "postgres/pg_connection.hpp"
#include "support/pg_server.hpp"
#include "support/realtime_helpers.hpp"
#include "support/server_process.hpp"

namespace archibald::testing {
namespace {

// A device of one user that follows the cluster: it reads every event, and when its node goes
// away it connects to the next live node with lastSeq (DESIGN §6 failover).
class roaming_device {
 public:
  roaming_device(std::vector<server_process*> nodes, std::size_t first, std::string user)
      : nodes_(std::move(nodes)), at_(first), user_(std::move(user)) {
    connect();
  }

  // Reads until the device has seq `last` or the deadline passes; reconnects when dropped.
  void follow_until(std::int64_t last, std::chrono::seconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (last_seq() < last && std::chrono::steady_clock::now() < deadline) {
      if (!client_ || !client_->is_open()) {
        std::this_thread::sleep_for(50ms);
        at_ = (at_ + 1) % nodes_.size();
        connect();
        continue;
      }
      const auto ev = client_->read(200ms);
      if (ev.what == ws_event::kind::timeout) continue;
      if (ev.what != ws_event::kind::message) {
        client_.reset();
        ++reconnects;
        continue;
      }
      const auto msg = boost::json::parse(ev.text).as_object();
      if (msg.contains("seq")) seqs.push_back(msg.at("seq").as_int64());
    }
  }
  // What arrives after the last event: nothing ("") when there is no duplicate.
  std::string more() {
    if (!client_) return {};
    const auto ev = client_->read(500ms);
    return ev.what == ws_event::kind::message ? ev.text : std::string();
  }
  std::int64_t last_seq() const { return seqs.empty() ? 0 : seqs.back(); }

  std::vector<std::int64_t> seqs;
  int reconnects = 0;

 private:
  void connect() {
    server_process& node = *nodes_[at_];  // a node that is gone refuses the connection
    auto c = std::make_unique<ws_client>();
    const std::string target = "/ws/realtime?token=" + server_process::token(user_) +
                               "&lastSeq=" + std::to_string(last_seq());
    if (c->connect(node.host(), node.port(), target).empty()) client_ = std::move(c);
  }

  std::vector<server_process*> nodes_;
  std::size_t at_;
  std::string user_;
  std::unique_ptr<ws_client> client_;
};

// Writes drafts p0..p(n-1) of the user, spread over the nodes, each retried on the next live
// node until acknowledged (a client's behaviour: a 503 or a dropped connection is retried; a
// write whose first try was committed after all comes back "skipped").
std::size_t write_through(std::vector<server_process*> nodes, const std::string& user, int n,
                          const std::string& prefix, std::chrono::milliseconds pause = 0ms) {
  std::size_t created = 0;
  for (int i = 0; i < n; ++i) {
    const std::string draft = draft_json(prefix + std::to_string(i), 1000 + i);
    for (std::size_t at = i, tries = 0; tries < 400; ++at, ++tries) {
      server_process& node = *nodes[at % nodes.size()];  // one that is gone: status 0
      const auto r = post_drafts(node, user, draft);
      if (r.status == 200) {
        const auto action = boost::json::parse(r.body).at("results").at(0).at("action");
        created += action.as_string() == "created";
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    if (pause > 0ms) std::this_thread::sleep_for(pause);
  }
  return created;
}

// Every device got 1..total, once each, in order; else where it went wrong.
void expect_gap_free(const roaming_device& device, std::int64_t total, const char* which) {
  std::string wrong;
  for (std::size_t i = 0; i < device.seqs.size() && wrong.size() < 300; ++i)
    if (device.seqs[i] != static_cast<std::int64_t>(i) + 1)
      wrong += " [" + std::to_string(i) + "]=" + std::to_string(device.seqs[i]);
  EXPECT_EQ(device.seqs.size(), static_cast<std::size_t>(total)) << which;
  EXPECT_EQ(wrong, "") << which << ": got out of place";
}

struct cluster_run : ::testing::Test {
  void SetUp() override {
    ASSERT_TRUE(pg.ok()) << pg.error();
    url = pg.create_database();
    for (int i = 0; i < 3; ++i)
      owned.push_back(
          std::make_unique<server_process>(server_process::env_list{{"DATABASE_URL", url}}));
    for (auto& n : owned) nodes.push_back(n.get());
    for (std::size_t i = 0; i < nodes.size(); ++i)
      devices.push_back(std::make_unique<roaming_device>(nodes, i, "u"));
    for (auto* n : nodes) ASSERT_TRUE(wait_for_stat(*n, "totalConnections", 1));
    std::this_thread::sleep_for(300ms);  // every node LISTENs
  }

  // Two writers through every node while `fault` runs (`writing` false once they are done);
  // then every device must have it all.
  void run_with(const std::function<void(const std::atomic<bool>& writing)>& fault) {
    std::atomic<bool> writing{true};
    constexpr int per_writer = 100;
    std::vector<std::thread> readers;
    for (auto& d : devices) readers.emplace_back([&d] { d->follow_until(2 * per_writer, 45s); });
    std::thread p([&] { write_through(nodes, "u", per_writer, "p", 3ms); });
    std::thread q([&] { write_through(nodes, "u", per_writer, "q", 3ms); });
    std::thread done([&] {
      p.join();
      q.join();
      writing = false;
    });
    std::this_thread::sleep_for(250ms);
    fault(writing);
    done.join();
    for (auto& r : readers) r.join();
    for (std::size_t i = 0; i < devices.size(); ++i) {
      const std::string which = "device " + std::to_string(i);
      expect_gap_free(*devices[i], 2 * per_writer, which.c_str());
      EXPECT_EQ(devices[i]->more(), "") << which << ": nothing after the last (no duplicate)";
    }
  }

  pg_server pg;
  std::string url;
  std::vector<std::unique_ptr<server_process>> owned;
  std::vector<server_process*> nodes;
  std::vector<std::unique_ptr<roaming_device>> devices;
};

TEST_F(cluster_run, ANodeKilledMidRunItsDeviceResumesOnAnotherAndMissesNothing) {
  run_with([&](const std::atomic<bool>&) { nodes[0]->stop(SIGKILL, 5s); });
  EXPECT_GE(devices[0]->reconnects, 1) << "the killed node's device moved";
  EXPECT_EQ(devices[1]->reconnects, 0);
  EXPECT_EQ(devices[2]->reconnects, 0);
}

TEST_F(cluster_run, TheDatabaseCrashedAndRestartedMidRunDevicesStayConnectedAndCatchUp) {
  run_with([&](const std::atomic<bool>&) {
    ASSERT_TRUE(pg.crash());
    std::this_thread::sleep_for(1s);
    ASSERT_TRUE(pg.start());
  });
  for (auto& d : devices) EXPECT_EQ(d->reconnects, 0) << "WebSocket connections stay open";
}

// The LISTEN sessions are terminated and cannot come back until the writes are over (the
// database refuses new connections meanwhile; the nodes' store connections stay): the hints of
// the last writes are lost for good, and only the catch-up after listening again brings them.
TEST_F(cluster_run, TheNodesListenSessionsLostUntilTheWritesEndedNothingIsMissed) {
  run_with([&](const std::atomic<bool>& writing) {
    pg_connection admin(pg.url("postgres"));
    ASSERT_TRUE(admin.ok()) << admin.error();
    const std::string database = url.substr(url.rfind('/') + 1);
    ASSERT_TRUE(
        admin.exec(("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false").c_str()).ok());
    const auto r = admin.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %'");
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.count(), 3) << "one LISTEN session per node";
    while (writing) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(
        admin.exec(("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true").c_str()).ok());
  });
  for (auto& d : devices) EXPECT_EQ(d->reconnects, 0);
}

}  // namespace
}  // namespace archibald::testing
