// Two archibald-realtime nodes on one PostgreSQL database (DESIGN §6), the database started by
// the test: the schema created by the nodes themselves, records written on one node read on
// the other, a device on the other node resuming with lastSeq, and live events from both
// nodes at once reaching devices on both, in seq order, once.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <csignal>
#include <thread>

#include "support/pg_server.hpp"
#include "support/realtime_helpers.hpp"
#include "support/server_process.hpp"

namespace archibald::testing {
namespace {

TEST(MultiNode, ANodeServesWhatAnotherWroteAndReplaysItInSeqOrder) {
  pg_server pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  const std::string url = pg.create_database();
  ASSERT_FALSE(url.empty());
  server_process a({{"DATABASE_URL", url}}), b({{"DATABASE_URL", url}});
  ASSERT_EQ(http_request(a.host(), a.port(), "GET", "/health/ready").status, 200) << a.log();
  ASSERT_EQ(http_request(b.host(), b.port(), "GET", "/health/ready").status, 200) << b.log();

  const auto first = results_of(post_drafts(a, "u", draft_json("d1", 1000)));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].at("action").as_string(), "created");
  EXPECT_EQ(results_of(post_drafts(b, "u", draft_json("d2", 2000)))[0].at("action").as_string(),
            "created");
  // Last writer wins across nodes: an older version sent to the other node is skipped.
  EXPECT_EQ(results_of(post_drafts(b, "u", draft_json("d1", 500)))[0].at("action").as_string(),
            "skipped");

  const auto listed = http_request(b.host(), b.port(), "GET", "/api/sync/draft-orders", {},
                                   {{"Authorization", server_process::bearer("u")}});
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("\"d1\""), std::string::npos);
  EXPECT_NE(listed.body.find("\"d2\""), std::string::npos);

  auto device = open_device(b, "u", "&lastSeq=0");  // resumes on the node that wrote d2 only
  const auto e1 = next_event(*device);
  const auto e2 = next_event(*device);
  EXPECT_EQ(e1.at("seq").as_int64(), 1);
  EXPECT_EQ(e1.at("type").as_string(), "DRAFT_CREATED");
  EXPECT_EQ(e2.at("seq").as_int64(), 2);
}

// Every device of the user, on either node, gets every event once and in seq order, while both
// nodes write the user's drafts at once.
TEST(MultiNode, WritesOnBothNodesReachEveryDeviceOnEitherNodeInSeqOrderOnce) {
  pg_server pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  const std::string url = pg.create_database();
  server_process a({{"DATABASE_URL", url}}), b({{"DATABASE_URL", url}});
  auto on_a = open_device(a, "u");
  auto on_b = open_device(b, "u");
  ASSERT_TRUE(wait_for_stat(a, "totalConnections", 1));
  ASSERT_TRUE(wait_for_stat(b, "totalConnections", 1));
  std::this_thread::sleep_for(300ms);  // both nodes LISTEN (they start catching up at once)
  constexpr int per_node = 40;
  const auto writer = [&](server_process& node, const std::string& prefix) {
    for (int i = 0; i < per_node; ++i)
      EXPECT_EQ(results_of(post_drafts(node, "u", draft_json(prefix + std::to_string(i), 1000 + i)))
                    .at(0)
                    .at("action")
                    .as_string(),
                "created");
  };
  std::thread wa([&] { writer(a, "a"); });
  std::thread wb([&] { writer(b, "b"); });
  wa.join();
  wb.join();
  for (auto* device : {on_a.get(), on_b.get()}) {
    std::int64_t expected = 1;
    for (; expected <= 2 * per_node; ++expected) {
      const auto ev = next_event(*device);
      if (ev.empty()) break;
      ASSERT_EQ(ev.at("seq").as_int64(), expected);
    }
    EXPECT_EQ(expected, 2 * per_node + 1);
    EXPECT_EQ(device->read(500ms).what, ws_event::kind::timeout) << "nothing more: no duplicate";
  }
}

// A device that connects without a lastSeq gets every event committed after it connected: one
// committed on another node just before its hint reached this node included. A user's first
// device on a node reads the events of the last second (the join lookback), so the event
// written the moment before it connected reaches it; its second device reads nothing.
TEST(MultiNode, AFirstDeviceOnANodeGetsTheEventAnotherNodeCommittedAsItConnected) {
  pg_server pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  const std::string url = pg.create_database();
  server_process a({{"DATABASE_URL", url}}), b({{"DATABASE_URL", url}});
  ASSERT_EQ(results_of(post_drafts(b, "u", draft_json("d1", 1000)))[0].at("action").as_string(),
            "created");
  auto first = open_device(a, "u");
  const auto e1 = next_event(*first);
  ASSERT_FALSE(e1.empty()) << "the event committed as the device connected";
  EXPECT_EQ(e1.at("seq").as_int64(), 1);
  auto second = open_device(a, "u");
  ASSERT_EQ(results_of(post_drafts(b, "u", draft_json("d2", 2000)))[0].at("action").as_string(),
            "created");
  for (auto* device : {first.get(), second.get()}) {
    const auto e2 = next_event(*device);
    ASSERT_FALSE(e2.empty());
    EXPECT_EQ(e2.at("seq").as_int64(), 2) << "the second device: nothing from before it";
    EXPECT_EQ(device->read(300ms).what, ws_event::kind::timeout) << "nothing twice";
  }
}

// The cluster view: each node's health lists itself first and every other live node with what
// its heartbeat reported; a node that stops leaves the view.
TEST(MultiNode, EachNodesHealthShowsEveryLiveNodeAndANodeThatStopsLeavesIt) {
  pg_server pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  const std::string url = pg.create_database();
  server_process a({{"DATABASE_URL", url}, {"NODE_ID", "alpha"}}), b({{"DATABASE_URL", url}});
  auto on_b1 = open_device(b, "u");
  auto on_b2 = open_device(b, "v");
  const auto cluster_of = [](server_process& node) {
    return health(node).at("cluster").as_array();
  };
  boost::json::array cluster;
  for (int i = 0; i < 100; ++i) {
    cluster = cluster_of(a);
    if (cluster.size() == 2 && cluster[1].at("connections").as_int64() == 2) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(health(a).at("nodeId").as_string(), "alpha");
  ASSERT_EQ(cluster.size(), 2u) << boost::json::serialize(cluster);
  EXPECT_EQ(cluster[0].at("nodeId").as_string(), "alpha");
  EXPECT_EQ(cluster[0].at("self").as_bool(), true);
  EXPECT_EQ(cluster[0].at("connections").as_int64(), 0);
  const std::string b_id = health(b).at("nodeId").as_string().c_str();
  EXPECT_EQ(b_id.substr(b_id.rfind(':') + 1), std::to_string(b.port())) << "host:port by default";
  EXPECT_EQ(cluster[1].at("nodeId").as_string(), b_id);
  EXPECT_EQ(cluster[1].at("self").as_bool(), false);
  EXPECT_EQ(cluster[1].at("users").as_int64(), 2);
  EXPECT_EQ(cluster[1].at("ready").as_bool(), true);
  EXPECT_LT(cluster[1].at("ageMs").as_int64(), 10'000);

  EXPECT_EQ(b.stop(SIGTERM, 10s), 0);
  for (int i = 0; i < 100 && cluster.size() != 1; ++i) {
    std::this_thread::sleep_for(100ms);
    cluster = cluster_of(a);
  }
  EXPECT_EQ(cluster.size(), 1u) << "the stopped node left: " << boost::json::serialize(cluster);
}

TEST(MultiNode, ANodeRefusesToStartWithoutItsDatabase) {
  pg_server pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  const std::string url = pg.url("no_such_database");
  // A node that cannot open its store exits at start-up, saying why.
  try {
    server_process node({{"DATABASE_URL", url}});
    ADD_FAILURE() << "a node started without its database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to PostgreSQL"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace archibald::testing
