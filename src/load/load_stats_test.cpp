#include "load/load_stats.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "load/report.hpp"
#include "load/write_builder.hpp"

namespace archibald::load {
namespace {

namespace json = boost::json;

TEST(LoadStats, RoundTripsThroughJsonExactly) {
  load_stats s;
  for (std::uint64_t v = 1; v < 2'000'000; v = v * 5 / 4 + 1) s[trend::ws_e2e_latency].record_us(v);
  s[trend::ws_ping].record_us(321);
  s[counter::writes] = 12345;
  s[counter::ws_msgs_lost] = 7;
  const auto text = json::serialize(s.to_json());
  const auto back = load_stats::from_json(json::parse(text).as_object());
  ASSERT_TRUE(back);
  EXPECT_EQ((*back)[counter::writes], 12345u);
  EXPECT_EQ((*back)[counter::ws_msgs_lost], 7u);
  EXPECT_EQ((*back)[trend::ws_e2e_latency].count(), s[trend::ws_e2e_latency].count());
  EXPECT_EQ((*back)[trend::ws_e2e_latency].quantile_us(0.99),
            s[trend::ws_e2e_latency].quantile_us(0.99));
  EXPECT_EQ((*back)[trend::ws_ping].max_us(), 321u);
  EXPECT_FALSE(
      load_stats::from_json(json::parse(R"({"trends":{},"counters":{"nope":1}})").as_object()));
  EXPECT_FALSE(
      load_stats::from_json(json::parse(R"({"trends":{"ws_ping":{}},"counters":{}})").as_object()));
}

TEST(LoadStats, ErrorReasonsAreBoundedAndTravelWithTheStats) {
  load_stats s;
  for (int i = 0; i < 100; ++i) s.note_error("reason " + std::to_string(i % 50));
  s.note_error("reason 1");
  EXPECT_EQ(s.errors.size(), load_stats::max_error_kinds + 1);  // + "(other reasons)"
  EXPECT_EQ(s.errors.at("reason 1"), 3u);
  EXPECT_EQ(s.errors.at("(other reasons)"), 2u * (50 - load_stats::max_error_kinds));
  const auto back = load_stats::from_json(json::parse(json::serialize(s.to_json())).as_object());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->errors, s.errors);
}

TEST(LoadStats, PerNodeFiguresMergeAndTravelWithTheStats) {
  load_stats a, b;
  a.node(1)[counter::writes] = 5;
  b.node(0)[counter::writes] = 2;
  b.node(1)[counter::writes] = 3;
  b.node(1)[trend::ws_e2e_latency].record_us(1500);
  a.merge(b);
  ASSERT_EQ(a.nodes.size(), 2u);
  EXPECT_EQ(a.nodes[0][counter::writes], 2u);
  EXPECT_EQ(a.nodes[1][counter::writes], 8u);
  const auto back = load_stats::from_json(json::parse(json::serialize(a.to_json())).as_object());
  ASSERT_TRUE(back);
  ASSERT_EQ(back->nodes.size(), 2u);
  EXPECT_EQ(back->nodes[1][counter::writes], 8u);
  EXPECT_EQ(back->nodes[1][trend::ws_e2e_latency].max_us(), 1500u);
  EXPECT_FALSE(load_stats::from_json(
      json::parse(R"({"trends":{},"counters":{},"nodes":[{"trends":{}}]})").as_object()));
}

TEST(LoadStats, MergeAddsEverything) {
  load_stats a, b;
  a[counter::deliveries] = 3;
  b[counter::deliveries] = 4;
  a[trend::ws_ping].record_us(10);
  b[trend::ws_ping].record_us(30);
  a.merge(b);
  EXPECT_EQ(a[counter::deliveries], 7u);
  EXPECT_EQ(a[trend::ws_ping].count(), 2u);
  EXPECT_EQ(a[trend::ws_ping].max_us(), 30u);
}

TEST(Report, SummaryJsonHasK6Shape) {
  load_stats s;
  s[trend::ws_e2e_latency].record_us(1500);
  s[counter::writes] = 10;
  run_outcome r;
  r.duration_s = 5;
  r.metrics = build_metric_table(s, 5, {});
  auto t = parse_threshold("ws_e2e_latency:p(95)<100");
  r.thresholds = evaluate_all({std::get<threshold>(t)}, r.metrics);
  load_options o;
  const auto j = summary_json(o, r);
  const auto& e2e = j.at("metrics").at("ws_e2e_latency").as_object();
  EXPECT_EQ(e2e.at("type").as_string(), "trend");
  for (const auto key : trend_value_keys) EXPECT_TRUE(e2e.at("values").as_object().contains(key));
  EXPECT_NEAR(e2e.at("values").at("p(95)").as_double(), 1.5, 0.01);
  EXPECT_TRUE(e2e.at("thresholds").at("p(95)<100").at("ok").as_bool());
  EXPECT_EQ(j.at("metrics").at("writes").at("values").at("count").as_double(), 10);
  EXPECT_EQ(j.at("metrics").at("writes").at("values").at("rate").as_double(), 2);
  EXPECT_TRUE(j.at("metrics").at("checks").at("values").as_object().contains("passes"));
  EXPECT_TRUE(j.at("state").at("thresholdsPassed").as_bool());
  const auto text = summary_text(o, r);
  EXPECT_NE(text.find("█ THRESHOLDS"), std::string::npos);
  EXPECT_NE(text.find("✓ 'p(95)<100' p(95)=1.50ms"), std::string::npos) << text;
  EXPECT_EQ(format_ms(0.25), "250µs");
  EXPECT_EQ(format_ms(12.34), "12.3ms");
  EXPECT_EQ(format_ms(90'000), "1m30s");
}

TEST(WriteBuilder, EventsAreRecognisedByTheirKey) {
  const std::string user = "load-x-u3";
  const write_request w{user, 3, 1, 1700000000123, 2};
  const auto rest = json::parse(rest_write_body(w)).as_object();
  const auto& draft = rest.at("drafts").at(0).as_object();
  EXPECT_EQ(draft.at("updatedAt").as_int64(), 1700000000123);
  EXPECT_EQ(draft.at("items").as_array().size(), 2u);
  EXPECT_EQ(draft.at("deviceId").as_string(), "dev1");
  const auto frame = json::parse(ws_write_frame(w)).as_object();
  EXPECT_EQ(frame.at("requestId").as_string(), "1700000000123");
  EXPECT_EQ(parse_key(frame.at("requestId").as_string()), 1700000000123);
  EXPECT_EQ(parse_key("abc"), 0);
  const auto event = json::parse(R"({"type":"DRAFT_UPDATED","seq":4,"payload":{"draftId":"x",
      "draft":)" + json::serialize(draft) +
                                 R"(,"timestamp":1,"deviceId":"dev1"}})")
                         .as_object();
  EXPECT_EQ(event_key(event), 1700000000123);
  const auto published = json::parse(publish_write_body(w)).as_object();
  EXPECT_FALSE(published.at("transient").as_bool());
  EXPECT_EQ(event_key(json::parse(R"({"type":"LOAD_EVENT","payload":)" +
                                  json::serialize(published.at("payload")) + "}")
                          .as_object()),
            1700000000123);
  EXPECT_EQ(event_key(json::parse(R"({"type":"RESYNC_REQUIRED","payload":{}})").as_object()),
            std::nullopt);
  EXPECT_TRUE(write_accepted(write_mode::rest, 200,
                             R"({"success":true,"results":[{"id":"a","action":"updated"}]})"));
  EXPECT_FALSE(write_accepted(write_mode::rest, 200,
                              R"({"success":true,"results":[{"id":"a","action":"skipped"}]})"));
  EXPECT_FALSE(write_accepted(write_mode::rest, 503, "{}"));
  EXPECT_TRUE(write_accepted(write_mode::publish, 200, "{}"));
}

}  // namespace
}  // namespace archibald::load
