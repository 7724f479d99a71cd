// REST sync (DESIGN §2.3): validation, last-writer-wins, ownership, events with seq.
#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

class SyncRest : public ::testing::Test {
 protected:
  server_process server;
};

TEST_F(SyncRest, CreateUpdateDeleteAreFannedOutWithGapFreeSeqs) {
  auto tablet = open_device(server, "u-1", "&deviceId=tablet");
  auto phone = open_device(server, "u-1", "&deviceId=phone");
  auto stranger = open_device(server, "u-2");

  EXPECT_EQ(results_of(post_drafts(server, "u-1", draft_json("dr-1", 1000)))[0].at("action"),
            "created");
  EXPECT_EQ(
      results_of(post_drafts(server, "u-1", draft_json("dr-1", 2000, "Rossi")))[0].at("action"),
      "updated");
  const auto del = http_request(server.host(), server.port(), "DELETE",
                                "/api/sync/draft-orders/dr-1?deviceId=phone", {},
                                {{"Authorization", server_process::bearer("u-1")}});
  EXPECT_EQ(del.status, 200) << del.body;

  for (auto* device : {tablet.get(), phone.get()}) {
    const auto created = next_event(*device);
    EXPECT_EQ(created.at("type"), "DRAFT_CREATED");
    EXPECT_EQ(created.at("seq"), 1);
    EXPECT_EQ(created.at("payload").at("draftId"), "dr-1");
    EXPECT_EQ(created.at("payload").at("draft").at("customerName"), "Ferramenta Bianchi Srl");
    EXPECT_EQ(created.at("payload").at("draft").at("updatedAt"), 1000);
    const auto updated = next_event(*device);
    EXPECT_EQ(updated.at("type"), "DRAFT_UPDATED");
    EXPECT_EQ(updated.at("seq"), 2);
    EXPECT_EQ(updated.at("payload").at("draft").at("customerName"), "Rossi");
    const auto deleted = next_event(*device);
    EXPECT_EQ(deleted.at("type"), "DRAFT_DELETED");
    EXPECT_EQ(deleted.at("seq"), 3);
    EXPECT_EQ(deleted.at("payload").at("deleted"), true);
    EXPECT_EQ(deleted.at("payload").at("deviceId"), "phone");
  }
  EXPECT_EQ(stranger->read(200ms).what, ws_event::kind::timeout);
}

TEST_F(SyncRest, LastWriterWinsOnUpdatedAt) {
  auto device = open_device(server, "u");
  results_of(post_drafts(server, "u", draft_json("d", 5000, "first")));
  const auto older = results_of(post_drafts(server, "u", draft_json("d", 4000, "older")))[0];
  EXPECT_EQ(older.at("action"), "skipped");
  EXPECT_EQ(older.at("reason"), "server_newer");
  EXPECT_EQ(older.at("serverUpdatedAt"), 5000);
  // The same version again (a retry): skipped, no event; the same updatedAt edited: updated.
  const auto repeat = results_of(post_drafts(server, "u", draft_json("d", 5000, "first")))[0];
  EXPECT_EQ(repeat.at("action"), "skipped");
  EXPECT_EQ(repeat.at("reason"), "unchanged");
  EXPECT_EQ(results_of(post_drafts(server, "u", draft_json("d", 5000, "equal")))[0].at("action"),
            "updated");
  EXPECT_EQ(results_of(post_drafts(server, "u", draft_json("d", 6000, "newer")))[0].at("action"),
            "updated");
  const auto list = http_request(server.host(), server.port(), "GET", "/api/sync/draft-orders", {},
                                 {{"Authorization", server_process::bearer("u")}});
  const auto drafts = boost::json::parse(list.body).at("drafts").as_array();
  ASSERT_EQ(drafts.size(), 1u);
  EXPECT_EQ(drafts[0].at("customerName"), "newer");
  // Events only for what changed: created, the edit at the same updatedAt, the newer one.
  for (const char* name : {"first", "equal", "newer"})
    EXPECT_EQ(next_event(*device).at("payload").at("draft").at("customerName"), name);
  EXPECT_EQ(device->read(200ms).what, ws_event::kind::timeout);
}

TEST_F(SyncRest, ListsOnlyTheCallersRecordsNewestFirstAndAfterATime) {
  results_of(post_drafts(
      server, "u",
      draft_json("a", 1000) + "," + draft_json("b", 3000) + "," + draft_json("c", 2000)));
  results_of(post_drafts(server, "other", draft_json("z", 9000)));
  auto get = [&](const std::string& target) {
    const auto r = http_request(server.host(), server.port(), "GET", target, {},
                                {{"Authorization", server_process::bearer("u")}});
    EXPECT_EQ(r.status, 200) << r.body;
    return boost::json::parse(r.body).at("drafts").as_array();
  };
  const auto all = get("/api/sync/draft-orders");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].at("id"), "b");
  EXPECT_EQ(all[2].at("id"), "a");
  const auto recent = get("/api/sync/draft-orders?updatedAfter=1500");
  EXPECT_EQ(recent.size(), 2u);
}

TEST_F(SyncRest, NoUserCanReadOverwriteOrDeleteAnotherUsersRecord) {
  results_of(post_drafts(server, "owner", draft_json("secret", 1000, "Owner Srl")));
  auto attacker_device = open_device(server, "attacker");
  const auto overwrite =
      results_of(post_drafts(server, "attacker", draft_json("secret", 9999, "Evil")));
  EXPECT_EQ(overwrite[0].at("action"), "rejected");
  const auto del =
      http_request(server.host(), server.port(), "DELETE", "/api/sync/draft-orders/secret", {},
                   {{"Authorization", server_process::bearer("attacker")}});
  EXPECT_EQ(del.status, 404);
  const auto list = http_request(server.host(), server.port(), "GET", "/api/sync/draft-orders", {},
                                 {{"Authorization", server_process::bearer("attacker")}});
  EXPECT_EQ(boost::json::parse(list.body).at("drafts").as_array().size(), 0u);
  const auto owners = http_request(server.host(), server.port(), "GET", "/api/sync/draft-orders",
                                   {}, {{"Authorization", server_process::bearer("owner")}});
  EXPECT_EQ(boost::json::parse(owners.body).at("drafts").at(0).at("customerName"), "Owner Srl");
  EXPECT_EQ(attacker_device->read(200ms).what, ws_event::kind::timeout);
  const auto metrics = http_request(server.host(), server.port(), "GET", "/metrics");
  EXPECT_NE(metrics.body.find("archibald_ownership_violations_total 2\n"), std::string::npos);
}

TEST_F(SyncRest, BadBatchesAre400AndWriteNothing) {
  const header_list auth{{"Authorization", server_process::bearer("u")}};
  std::string fifty_one;
  for (int i = 0; i < 51; ++i) fifty_one += (i ? "," : "") + draft_json("d" + std::to_string(i), 1);
  for (const std::string& body :
       {std::string("not json"), std::string("[]"), std::string(R"({"drafts":{}})"),
        std::string(R"({"nothing":[]})"), R"({"drafts":[)" + fifty_one + "]}"}) {
    const auto r =
        http_request(server.host(), server.port(), "POST", "/api/sync/draft-orders", body, auth);
    EXPECT_EQ(r.status, 400) << body.substr(0, 40);
    EXPECT_EQ(boost::json::parse(r.body).at("success"), false);
  }
  const auto list =
      http_request(server.host(), server.port(), "GET", "/api/sync/draft-orders", {}, auth);
  EXPECT_EQ(boost::json::parse(list.body).at("drafts").as_array().size(), 0u);
  EXPECT_EQ(http_request(server.host(), server.port(), "GET", "/api/sync/draft-orders").status,
            401);
  EXPECT_EQ(http_request(server.host(), server.port(), "GET", "/api/sync/nothing", {}, auth).status,
            404);
}

TEST_F(SyncRest, InvalidRecordsAreRejectedOneByOneWhileTheRestProceed) {
  std::string items101 = "[";
  for (int i = 0; i < 101; ++i) items101 += (i ? "," : "") + std::string("{}");
  items101 += "]";
  const std::string batch =
      draft_json("ok-1", 1) + "," + R"({"customerId":"C","customerName":"x","items":[]})" + "," +
      R"({"id":"no-customer","customerName":"x","items":[]})" + "," +
      R"({"id":"no-items","customerId":"C","customerName":"x"})" + "," +
      R"({"id":"bad-items","customerId":"C","customerName":"x","items":"many"})" + "," +
      R"({"id":"too-many","customerId":"C","customerName":"x","items":)" + items101 + "}," +
      R"({"id":"bad-time","customerId":"C","customerName":"x","items":[],"updatedAt":"now"})" +
      "," + R"({"id":"name-type","customerId":"C","customerName":7,"items":[]})" + "," +
      draft_json("ok-2", 1);
  const auto results = results_of(post_drafts(server, "u", batch));
  ASSERT_EQ(results.size(), 9u);
  EXPECT_EQ(results[0].at("action"), "created");
  EXPECT_EQ(results[1].at("id"), "unknown");
  for (std::size_t i = 1; i < 8; ++i) {
    EXPECT_EQ(results[i].at("action"), "rejected") << i;
    EXPECT_EQ(results[i].at("reason"), "invalid_data") << i;
    EXPECT_TRUE(results[i].at("error").is_string());
  }
  EXPECT_EQ(results[8].at("action"), "created");
}

TEST_F(SyncRest, PendingOrdersFollowTheSameRulesWithTheirOwnEvents) {
  auto device = open_device(server, "u");
  const auto r = http_request(server.host(), server.port(), "POST", "/api/sync/pending-orders",
                              R"({"orders":[)" + draft_json("po-1", 100) + "]}",
                              {{"Authorization", server_process::bearer("u")}});
  EXPECT_EQ(results_of(r)[0].at("action"), "created");
  const auto event = next_event(*device);
  EXPECT_EQ(event.at("type"), "PENDING_CREATED");
  EXPECT_EQ(event.at("payload").at("pendingOrderId"), "po-1");
  const auto list = http_request(server.host(), server.port(), "GET", "/api/sync/pending-orders",
                                 {}, {{"Authorization", server_process::bearer("u")}});
  EXPECT_EQ(boost::json::parse(list.body).at("orders").as_array().size(), 1u);
  // The draft collection is separate.
  const auto drafts = http_request(server.host(), server.port(), "GET", "/api/sync/draft-orders",
                                   {}, {{"Authorization", server_process::bearer("u")}});
  EXPECT_EQ(boost::json::parse(drafts.body).at("drafts").as_array().size(), 0u);
}

TEST_F(SyncRest, PublishIsDurableUnlessTransient) {
  auto device = open_device(server, "u");
  ASSERT_EQ(publish(server, "u", "JOB_DONE").status, 200);
  EXPECT_EQ(next_event(*device).at("seq"), 1);
  const auto transient =
      http_request(server.host(), server.port(), "POST", "/api/realtime/publish",
                   R"({"userId":"u","type":"JOB_PROGRESS","payload":{},"transient":true})",
                   {{"Authorization", server_process::bearer("ops", user_role::service)}});
  ASSERT_EQ(transient.status, 200);
  EXPECT_FALSE(next_event(*device).contains("seq"));
}

}  // namespace
}  // namespace archibald::testing
