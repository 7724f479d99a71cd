// Writes over WebSocket (DESIGN §2.2): same path as REST, ACK / ERROR to the sender, fan-out.
#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

std::string write_frame(const std::string& type, const std::string& request_id,
                        const std::string& payload) {
  return R"({"type":")" + type + R"(","requestId":")" + request_id + R"(","payload":)" + payload +
         "}";
}

// Reads until the message of the given type arrives; returns it (others are collected).
boost::json::object read_until(ws_client& c, std::string_view type,
                               std::vector<boost::json::object>* others = nullptr) {
  for (int i = 0; i < 20; ++i) {
    auto e = next_event(c);
    if (e.empty()) return e;
    if (e.at("type").as_string() == type) return e;
    if (others) others->push_back(std::move(e));
  }
  return {};
}

TEST(WsWrite, CreateIsAcknowledgedAndFannedOutToEveryDevice) {
  server_process server;
  auto phone = open_device(server, "u", "&deviceId=phone");
  auto tablet = open_device(server, "u", "&deviceId=tablet");
  ASSERT_TRUE(phone->send_text(
      write_frame("DRAFT_UPDATED", "r-17", R"({"drafts":[)" + draft_json("dr-5b2c", 10) + "]}")));
  std::vector<boost::json::object> others;
  const auto ack = read_until(*phone, "ACK", &others);
  ASSERT_FALSE(ack.empty());
  EXPECT_EQ(ack.at("requestId"), "r-17");
  EXPECT_EQ(ack.at("payload").at("results").at(0).at("action"), "created");
  ASSERT_EQ(others.size(), 1u);  // the sender gets the event too, before its ACK
  EXPECT_EQ(others[0].at("type"), "DRAFT_CREATED");
  const auto event = next_event(*tablet);
  EXPECT_EQ(event.at("type"), "DRAFT_CREATED");
  EXPECT_EQ(event.at("seq"), 1);
  EXPECT_EQ(event.at("payload").at("deviceId"), "phone");
  // The same record over REST is now an update.
  EXPECT_EQ(results_of(post_drafts(server, "u", draft_json("dr-5b2c", 11)))[0].at("action"),
            "updated");
}

TEST(WsWrite, BadWritesGetAnErrorWithTheirRequestId) {
  server_process server;
  auto device = open_device(server, "u");
  for (const auto& [frame, message] : std::vector<std::pair<std::string, std::string>>{
           {write_frame("DRAFT_CREATED", "r-1", R"({"drafts":{}})"), "drafts must be an array"},
           {write_frame("DRAFT_CREATED", "r-2", "[]"), "payload must be an object"},
           {write_frame("DRAFT_DELETED", "r-3", "{}"), "draftId must be a non-empty string"},
           {write_frame("DRAFT_DELETED", "r-4", R"({"draftId":"missing"})"), "not found"}}) {
    ASSERT_TRUE(device->send_text(frame));
    const auto e = next_event(*device);
    EXPECT_EQ(e.at("type"), "ERROR") << frame;
    EXPECT_EQ(e.at("requestId").as_string(), frame.substr(frame.find("r-"), 3));
    EXPECT_EQ(e.at("payload").at("error").as_string(), message);
  }
}

TEST(WsWrite, DeleteOverWebSocket) {
  server_process server;
  results_of(post_drafts(server, "u", draft_json("gone", 1)));
  auto device = open_device(server, "u", "&lastSeq=1");
  ASSERT_TRUE(device->send_text(
      write_frame("DRAFT_DELETED", "r-9", R"({"draftId":"gone","deviceId":"phone"})")));
  std::vector<boost::json::object> others;
  const auto ack = read_until(*device, "ACK", &others);
  EXPECT_EQ(ack.at("payload").at("results").at(0).at("action"), "deleted");
  ASSERT_EQ(others.size(), 1u);
  EXPECT_EQ(others[0].at("type"), "DRAFT_DELETED");
  EXPECT_EQ(others[0].at("seq"), 2);
}

TEST(WsWrite, AnotherUsersRecordIsRejectedOverWebSocketToo) {
  server_process server;
  results_of(post_drafts(server, "owner", draft_json("mine", 1)));
  auto attacker = open_device(server, "attacker");
  ASSERT_TRUE(attacker->send_text(
      write_frame("DRAFT_UPDATED", "r-1", R"({"drafts":[)" + draft_json("mine", 99) + "]}")));
  const auto ack = next_event(*attacker);
  EXPECT_EQ(ack.at("type"), "ACK");
  EXPECT_EQ(ack.at("payload").at("results").at(0).at("action"), "rejected");
  ASSERT_TRUE(attacker->send_text(write_frame("DRAFT_DELETED", "r-2", R"({"draftId":"mine"})")));
  EXPECT_EQ(next_event(*attacker).at("type"), "ERROR");
}

TEST(WsWrite, TwoDevicesWritingConcurrentlySeeTheSameOrder) {
  server_process server;
  auto a = open_device(server, "u");
  auto b = open_device(server, "u");
  for (int i = 0; i < 20; ++i) {
    a->send_text(write_frame("DRAFT_CREATED", "a" + std::to_string(i),
                             R"({"drafts":[)" + draft_json("a" + std::to_string(i), i) + "]}"));
    b->send_text(write_frame("DRAFT_CREATED", "b" + std::to_string(i),
                             R"({"drafts":[)" + draft_json("b" + std::to_string(i), i) + "]}"));
  }
  auto events_of = [](ws_client& c) {
    std::vector<std::string> ids;
    while (ids.size() < 40) {
      const auto e = next_event(c);
      if (e.empty()) break;
      if (e.at("type") == "DRAFT_CREATED") {
        EXPECT_EQ(e.at("seq").to_number<std::size_t>(), ids.size() + 1);
        ids.emplace_back(e.at("payload").at("draftId").as_string());
      }
    }
    return ids;
  };
  const auto seen_by_a = events_of(*a);
  const auto seen_by_b = events_of(*b);
  EXPECT_EQ(seen_by_a.size(), 40u);
  EXPECT_EQ(seen_by_a, seen_by_b);
}

}  // namespace
}  // namespace archibald::testing
