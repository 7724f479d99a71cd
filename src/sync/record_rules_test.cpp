#include "sync/record_rules.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace archibald {
namespace {

namespace json = boost::json;

checked_record check(std::string_view record_json, const collection_spec& spec = draft_orders) {
  return check_record(spec, json::parse(record_json), "token-device", 1'000);
}

TEST(CheckRecord, AcceptsTheOriginalShapeAndNormalisesDraftItems) {
  const auto r = check(R"({"id":"d1","customerId":42,"customerName":"N","updatedAt":7,
                          "items":[{"productId":"P","quantity":3,"extra":true}]})");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.id, "d1");
  EXPECT_EQ(r.updated_at, 7);
  EXPECT_EQ(r.device_id, "token-device");
  EXPECT_EQ(r.record.at("customerId"), "42");
  const auto& item = r.record.at("items").at(0).as_object();
  EXPECT_FALSE(item.contains("extra"));
  EXPECT_EQ(item.at("quantity"), 3);
  EXPECT_TRUE(item.at("article").is_null());
}

TEST(CheckRecord, PendingOrdersKeepWhatTheClientSent) {
  const auto r = check(R"({"id":"p1","customerId":"C","customerName":"N","items":[{"x":1}],
                          "notes":"keep"})",
                       pending_orders);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.record.at("notes"), "keep");
  EXPECT_EQ(r.record.at("items").at(0).at("x"), 1);
}

TEST(CheckRecord, AMissingUpdatedAtIsNowAndTheRecordsDeviceWins) {
  const auto r = check(R"({"id":"d","customerId":"C","customerName":"N","items":[],
                          "deviceId":"laptop"})");
  EXPECT_EQ(r.updated_at, 1'000);
  EXPECT_EQ(r.device_id, "laptop");
}

TEST(CheckRecord, SaysWhyARecordIsRejected) {
  const std::pair<const char*, const char*> cases[] = {
      {"[]", "record must be an object"},
      {R"({"customerId":"C"})", "id required"},
      {R"({"id":"","customerId":"C"})", "id required"},
      {R"({"id":"d","customerName":"N","items":[]})", "customerId required"},
      {R"({"id":"d","customerId":"C","items":[]})", "customerName required"},
      {R"({"id":"d","customerId":"C","customerName":5,"items":[]})",
       "customerName must be a string"},
      {R"({"id":"d","customerId":"C","customerName":"N"})", "items must be an array"},
      {R"({"id":"d","customerId":"C","customerName":"N","items":[1]})", "items must be objects"},
      {R"({"id":"d","customerId":"C","customerName":"N","items":[],"deviceId":1})",
       "deviceId must be a string"},
  };
  for (const auto& [record, error] : cases) EXPECT_EQ(check(record).error, error) << record;
  EXPECT_EQ(check(R"({"id":")" + std::string(201, 'x') + R"("})").error,
            "id longer than 200 characters");
  std::string many = R"({"id":"d","customerId":"C","customerName":"N","items":[)";
  for (int i = 0; i < 101; ++i) many += i ? ",{}" : "{}";
  EXPECT_EQ(check(many + "]}").error, "at most 100 items per record");
}

// Regression (hostile-input finding 2): 2^63 was stored as 0, 2^64 - 1 as 2^63 - 1.
TEST(CheckRecord, TimestampsAreIntegersADateCanHoldOrRejected) {
  const std::string base = R"({"id":"d","customerId":"C","customerName":"N","items":[],)";
  for (const char* bad : {"9223372036854775808", "18446744073709551615", "1e19", "1.5",
                          "8640000000000001", "-8640000000000001", "\"5\"", "true", "NaN"}) {
    for (const char* field : {"updatedAt", "createdAt"}) {
      boost::system::error_code ec;
      const auto value = json::parse(base + "\"" + field + "\":" + bad + "}", ec);
      if (ec) continue;  // NaN is not JSON
      const auto r = check_record(draft_orders, value, "", 0);
      EXPECT_NE(r.error.find(field), std::string::npos) << field << "=" << bad << ": " << r.error;
    }
  }
  for (const auto& [text, ms] : std::initializer_list<std::pair<const char*, std::int64_t>>{
           {"8640000000000000", 8'640'000'000'000'000},
           {"-8640000000000000", -8'640'000'000'000'000},
           {"1.7e12", 1'700'000'000'000},
           {"null", 1'000}}) {
    const auto r = check(base + R"("updatedAt":)" + text + "}");
    EXPECT_EQ(r.error, "") << text;
    EXPECT_EQ(r.updated_at, ms) << text;
  }
}

// Regression (fuzzing, record_fuzz): 1e400 became an infinity stored as 1e99999, which does
// not parse again.
TEST(CheckRecord, NumbersThatOverflowToInfinityAreRejected) {
  EXPECT_EQ(check(R"({"id":"p","customerId":"C","customerName":"N","items":[],"x":-8e551165})",
                  pending_orders)
                .error,
            "numbers must be finite");
  EXPECT_EQ(check(R"({"id":"d","customerId":"C","customerName":"N",
                     "items":[{"productId":{"deep":[1e400]}}]})")
                .error,
            "numbers must be finite");
  EXPECT_EQ(
      check(R"({"id":"d","customerId":"C","customerName":"N","items":[{"quantity":1e300}]})").error,
      "");
}

TEST(DecideMerge, LastWriterWinsAndOwnershipIsNeverCrossed) {
  const stored_record mine{"d", "u", 1, 100, "{}"};
  EXPECT_EQ(decide_merge(std::nullopt, "u", 5), merge_action::create);
  EXPECT_EQ(decide_merge(mine, "u", 101), merge_action::update);
  EXPECT_EQ(decide_merge(mine, "u", 100), merge_action::update);  // equal: overwritten
  EXPECT_EQ(decide_merge(mine, "u", 99), merge_action::skip_server_newer);
  EXPECT_EQ(decide_merge(mine, "v", 1'000), merge_action::reject_foreign);
  EXPECT_EQ(decide_merge(mine, "v", 1), merge_action::reject_foreign);
}

TEST(RepeatsStored, OnlyTheSameVersionByteForByteIsARepeat) {
  auto incoming = check(R"({"id":"d","customerId":"C","customerName":"N","items":[],
                           "updatedAt":200,"deviceId":"phone"})");
  const stored_record first = merge_record(incoming, std::nullopt, "u", 10);
  EXPECT_FALSE(repeats_stored(std::nullopt, first));
  auto again = check(R"({"id":"d","customerId":"C","customerName":"N","items":[],
                        "updatedAt":200,"deviceId":"phone"})");
  EXPECT_TRUE(repeats_stored(first, merge_record(again, first, "u", 99)));
  auto edited = check(R"({"id":"d","customerId":"C","customerName":"M","items":[],
                         "updatedAt":200,"deviceId":"phone"})");
  EXPECT_FALSE(repeats_stored(first, merge_record(edited, first, "u", 99)));
  auto later = check(R"({"id":"d","customerId":"C","customerName":"N","items":[],
                        "updatedAt":201,"deviceId":"phone"})");
  EXPECT_FALSE(repeats_stored(first, merge_record(later, first, "u", 99)));
}

TEST(MergeRecord, KeepsTheStoredCreatedAtAndStampsTheRecord) {
  auto incoming = check(R"({"id":"d","customerId":"C","customerName":"N","items":[],
                           "createdAt":50,"updatedAt":200,"deviceId":"phone"})");
  const stored_record existing{"d", "u", 10, 100, "{}"};
  const stored_record merged = merge_record(incoming, existing, "u", 999);
  EXPECT_EQ(merged.created_at, 10);
  EXPECT_EQ(merged.updated_at, 200);
  EXPECT_EQ(merged.user_id, "u");
  const auto data = json::parse(merged.data).as_object();
  EXPECT_EQ(data.at("createdAt"), 10);
  EXPECT_EQ(data.at("updatedAt"), 200);
  EXPECT_EQ(data.at("deviceId"), "phone");

  auto fresh = check(R"({"id":"e","customerId":"C","customerName":"N","items":[]})");
  fresh.device_id.clear();
  const stored_record created = merge_record(fresh, std::nullopt, "u", 999);
  EXPECT_EQ(created.created_at, 999);
  EXPECT_TRUE(json::parse(created.data).at("deviceId").is_null());
}

}  // namespace
}  // namespace archibald
