#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "protocol/clock.hpp"
#include "protocol/duration.hpp"
#include "protocol/envelope.hpp"

namespace archibald {
namespace {

using namespace std::chrono_literals;

TEST(Clock, FormatsIsoUtcWithMilliseconds) {
  const wall_clock::time_point t{1'764'150'123'456ms};
  EXPECT_EQ(iso8601_utc_ms(t), "2025-11-26T09:42:03.456Z");
  EXPECT_EQ(iso8601_utc_ms(wall_clock::time_point{0ms}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc_ms(wall_clock::time_point{951'782'400'000ms}), "2000-02-29T00:00:00.000Z");
}

TEST(Clock, ParsesWhatItFormatsAndJavaScriptDates) {
  const wall_clock::time_point t{1'764'150'123'456ms};
  EXPECT_EQ(parse_iso8601(iso8601_utc_ms(t)), t);
  EXPECT_EQ(parse_iso8601("2025-11-26T09:42:03Z"), wall_clock::time_point{1'764'150'123'000ms});
  EXPECT_EQ(parse_iso8601("2025-11-26T10:42:03.456+01:00"), t);
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_iso8601("2025-13-26T09:42:03Z"));
  EXPECT_FALSE(parse_iso8601("2025-11-26T09:42:03.Z"));
  EXPECT_FALSE(parse_iso8601("2025-11-26T09:42:03.456"));
}

// Regression (fuzzing, iso8601_fuzz): 9999-12-31 overflowed the nanosecond clock (UB).
TEST(Clock, RejectsTimesTheClockCannotHold) {
  EXPECT_FALSE(parse_iso8601("9999-12-31T23:59:59.999Z"));
  EXPECT_FALSE(parse_iso8601("2263-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("1677-01-01T00:00:00Z"));
  const auto late = parse_iso8601("2262-01-01T00:00:00.000Z");
  ASSERT_TRUE(late);
  EXPECT_EQ(iso8601_utc_ms(*late), "2262-01-01T00:00:00.000Z");
}

TEST(Duration, ParsesUnitsAndCombinations) {
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("45s"), 45s);
  EXPECT_EQ(parse_duration("30m"), 30min);
  EXPECT_EQ(parse_duration("8h"), 8h);
  EXPECT_EQ(parse_duration("1d"), 24h);
  EXPECT_EQ(parse_duration("1m30s"), 90s);
  EXPECT_EQ(parse_duration("12"), 12s);
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("5x"));
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_FALSE(parse_duration("1m30"));
  EXPECT_FALSE(parse_duration("h"));
}

TEST(Envelope, SerialisesTheOriginalShape) {
  const boost::json::value payload = boost::json::parse(R"({"jobId":"j-1","percent":40})");
  const std::string text = serialize_envelope(
      {.type = "JOB_PROGRESS", .payload = payload, .timestamp = "2026-11-26T09:42:03.458Z"});
  EXPECT_EQ(text, R"({"type":"JOB_PROGRESS","payload":{"jobId":"j-1","percent":40},)"
                  R"("timestamp":"2026-11-26T09:42:03.458Z"})");
}

TEST(Envelope, AddsSeqAndRequestIdOnlyWhenGiven) {
  const boost::json::value payload = boost::json::object{};
  const std::string text = serialize_envelope(
      {.type = "ACK", .payload = payload, .timestamp = "t", .seq = 42, .request_id = "r-\"17\""});
  EXPECT_EQ(text, R"({"type":"ACK","requestId":"r-\"17\"","payload":{},"timestamp":"t","seq":42})");
}

TEST(Envelope, ParsesWhatItSerialises) {
  const boost::json::value payload = boost::json::parse(R"({"draftId":"dr-5b2c"})");
  const auto parsed = parse_envelope(serialize_envelope({.type = "DRAFT_CREATED",
                                                         .payload = payload,
                                                         .timestamp = "2026-11-26T09:42:03.458Z",
                                                         .seq = 7}));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->type, "DRAFT_CREATED");
  EXPECT_EQ(parsed->payload, payload);
  EXPECT_EQ(parsed->timestamp, "2026-11-26T09:42:03.458Z");
  EXPECT_EQ(parsed->seq, 7);
  EXPECT_TRUE(parsed->request_id.empty());
}

// Regression (fuzzing, client_message_fuzz): a seq past INT64_MAX threw from parse_envelope,
// which a client could send to crash the server.
TEST(Envelope, RejectsASeqPastInt64InsteadOfThrowing) {
  EXPECT_FALSE(parse_envelope(R"({"type":"DR","seq":15555555344269007070})"));
  EXPECT_FALSE(parse_envelope(R"({"type":"DR","seq":1.5})"));
  EXPECT_EQ(parse_envelope(R"({"type":"DR","seq":9223372036854775807})")->seq, INT64_MAX);
}

TEST(Envelope, RejectsWhatIsNotAnEnvelope) {
  EXPECT_FALSE(parse_envelope("ping"));
  EXPECT_FALSE(parse_envelope("{"));
  EXPECT_FALSE(parse_envelope("[1]"));
  EXPECT_FALSE(parse_envelope(R"({"payload":{}})"));
  EXPECT_FALSE(parse_envelope(R"({"type":5})"));
  EXPECT_FALSE(parse_envelope(R"({"type":"X","seq":"7"})"));
  EXPECT_FALSE(parse_envelope(R"({"type":"X","requestId":{}})"));
  EXPECT_TRUE(parse_envelope(R"({"type":"X","requestId":17})"));
}

}  // namespace
}  // namespace archibald
