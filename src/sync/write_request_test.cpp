#include "sync/write_request.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace archibald {
namespace {

namespace json = boost::json;

TEST(WriteRequest, ParsesARestBody) {
  const auto p = parse_upsert_body(draft_orders, R"({"drafts":[{"id":"a"},{"id":"b"}],
                                                     "deviceId":"phone"})");
  ASSERT_TRUE(p.write) << p.error;
  EXPECT_EQ(p.write->records.size(), 2u);
  EXPECT_EQ(p.write->device_id, "phone");
  EXPECT_EQ(p.write->spec, &draft_orders);
}

TEST(WriteRequest, PendingOrdersAlsoTakeTheDraftsKey) {
  const auto p = parse_upsert_body(pending_orders, R"({"drafts":[{"id":"a"}]})");
  ASSERT_TRUE(p.write) << p.error;
  EXPECT_EQ(p.write->records.size(), 1u);
  EXPECT_FALSE(p.write->device_id);
}

TEST(WriteRequest, RestAndWebSocketGiveTheSameErrors) {
  std::string fifty_one = R"({"drafts":[)";
  for (int i = 0; i < 51; ++i) fifty_one += i ? ",{}" : "{}";
  fifty_one += "]}";
  for (const char* body : {R"({"drafts":{}})", R"({"other":[]})", fifty_one.c_str()}) {
    const auto rest = parse_upsert_body(draft_orders, body);
    json::value payload = json::parse(body);
    const auto ws = parse_write_payload(draft_orders, event_kind::updated, payload);
    EXPECT_FALSE(rest.write);
    EXPECT_FALSE(ws.write);
    EXPECT_EQ(rest.error, ws.error);
  }
  EXPECT_EQ(parse_upsert_body(draft_orders, fifty_one).error, "at most 50 drafts per batch");
  EXPECT_EQ(parse_upsert_body(draft_orders, "{\"drafts\":[").error, "body is not valid JSON");
  EXPECT_EQ(parse_upsert_body(draft_orders, "[]").error, "body must be a JSON object");
}

TEST(WriteRequest, ParsesAWebSocketDelete) {
  json::value payload = json::parse(R"({"draftId":"a/b","deviceId":"tab"})");
  const auto p = parse_write_payload(draft_orders, event_kind::deleted, payload);
  ASSERT_TRUE(p.write) << p.error;
  EXPECT_EQ(p.write->record_id, "a/b");
  EXPECT_EQ(p.write->device_id, "tab");

  json::value by_id = json::parse(R"({"id":"x"})");
  EXPECT_EQ(parse_write_payload(pending_orders, event_kind::deleted, by_id).write->record_id, "x");
  json::value empty = json::parse(R"({"draftId":""})");
  EXPECT_EQ(parse_write_payload(draft_orders, event_kind::deleted, empty).error,
            "draftId must be a non-empty string");
  json::value not_object = json::parse("[1]");
  EXPECT_EQ(parse_write_payload(draft_orders, event_kind::deleted, not_object).error,
            "payload must be an object");
}

TEST(WriteRequest, StorageErrorsReadTheSameOnBothTransports) {
  EXPECT_EQ(storage_error_text(store_status::busy), "Storage busy, retry later");
  EXPECT_EQ(storage_error_text(store_status::unavailable), "Storage unavailable");
}

}  // namespace
}  // namespace archibald
