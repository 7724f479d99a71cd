#include "http/url.hpp"

#include <gtest/gtest.h>

namespace archibald {
namespace {

TEST(Url, SplitsAndDecodesQueryParameters) {
  const std::string target = "/ws/realtime?token=a%2Eb&x=1+2";
  const auto parts = parse_target(target);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->path, "/ws/realtime");
  EXPECT_EQ(parts->query, "token=a%2Eb&x=1+2");
  EXPECT_EQ(query_param(target, "token"), "a.b");
  EXPECT_EQ(query_param(target, "x"), "1 2");
  EXPECT_FALSE(query_param(target, "missing"));
  EXPECT_FALSE(query_param("/?bad=%zz", "bad"));
  EXPECT_FALSE(query_param("/?bad=%2", "bad"));
}

TEST(Url, MatchesParameterNamesExactlyAsSent) {
  EXPECT_FALSE(query_param("/?%74oken=x", "token"));
  EXPECT_FALSE(query_param("/?Token=x", "token"));
  EXPECT_EQ(query_param("/?a=1&token=&token=2", "token"), "");
}

// Regression: Boost.URL 1.81's parse_query read a query view past its end (the request line's
// " HTTP/1.1" became part of the token: "malformed token" for every WebSocket client).
TEST(Url, ReadsNoFurtherThanTheTargetItIsGiven) {
  const std::string request_line = "/ws/realtime?a=1&token=abc.def HTTP/1.1\r\n";
  const std::string_view target(request_line.data(), request_line.find(' '));
  EXPECT_EQ(query_param(target, "token"), "abc.def");
  EXPECT_EQ(parse_target(target)->query, "a=1&token=abc.def");
}

TEST(Url, AcceptsOriginAndAbsoluteFormAndRejectsMalformedTargets) {
  EXPECT_EQ(parse_target("http://example.com/health/live?x=1")->path, "/health/live");
  EXPECT_EQ(parse_target("/a%2Fb")->path, "/a%2Fb");
  EXPECT_FALSE(parse_target("/a b"));
  EXPECT_FALSE(parse_target("/a%zz"));
  EXPECT_FALSE(parse_target("no-slash"));
  EXPECT_FALSE(parse_target("http://h:3x"));  // Boost.URL 1.81 alone: port 3, path "x"
  EXPECT_FALSE(parse_target(std::string_view("/a\0b", 4)));
}

// What browsers send unescaped (WHATWG URL) is read as if percent-encoded, as Node did.
TEST(Url, AcceptsWhatBrowsersLeaveUnescaped) {
  const auto parts = parse_target("/api/sync/draft-orders/a|b^[c]?deviceId={x}&q=`y`");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->path, "/api/sync/draft-orders/a|b^[c]");
  EXPECT_EQ(parts->query, "deviceId={x}&q=`y`");
  EXPECT_EQ(query_param("/ws/realtime?deviceId=a|b&token=t", "deviceId"), "a|b");
  EXPECT_EQ(query_param("/ws/realtime?deviceId=a|b&token=t", "token"), "t");
  EXPECT_EQ(redact_target("/x|y?token=z"), "/x%7Cy?token=[REDACTED]");
  EXPECT_FALSE(parse_target("http://h/a|b"));  // absolute-form stays strict
}

TEST(Url, PercentDecodesWithAndWithoutPlusAsSpace) {
  EXPECT_EQ(percent_decode("a%2Fb+c", false), "a/b+c");
  EXPECT_EQ(percent_decode("a%2Fb+c", true), "a/b c");
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%g0", false));
}

TEST(Url, RecognisesTheShapeOfAJwt) {
  EXPECT_TRUE(looks_like_jwt("eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiJ1In0.c2ln"));
  EXPECT_TRUE(looks_like_jwt("eyJhbGciOiJub25lIn0.eyJ1In0."));  // alg:none, empty signature
  EXPECT_FALSE(looks_like_jwt("a.b"));
  EXPECT_FALSE(looks_like_jwt(".b.c"));
  EXPECT_FALSE(looks_like_jwt("a..c"));
  EXPECT_FALSE(looks_like_jwt("a.b.c.d"));
  EXPECT_FALSE(looks_like_jwt("a b.c.d"));
}

TEST(Url, RedactsTokensFromLoggedTargets) {
  EXPECT_EQ(redact_target("/ws/realtime?token=eyJ.secret.sig&lastSeq=4"),
            "/ws/realtime?token=[REDACTED]&lastSeq=4");
  EXPECT_EQ(redact_target("/a?x=1&access_token=zzz"), "/a?x=1&access_token=[REDACTED]");
  EXPECT_EQ(redact_target("/health/live"), "/health/live");
  EXPECT_EQ(redact_target("/"), "/");
  EXPECT_EQ(redact_target("/a/?x"), "/a/?x");
}

// Regression (hostile-input finding 7): a JWT under another name, or an encoded name, was
// logged in clear.
TEST(Url, RedactsAnyJwtShapedValueWhateverItsName) {
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiJ1In0.c2lnbmF0dXJl";
  for (const std::string name : {"Token", "%74oken", "access%5Ftoken", "auth", "x"}) {
    const std::string logged = redact_target("/ws/realtime?" + name + "=" + jwt + "&deviceId=d");
    EXPECT_EQ(logged.find("eyJ"), std::string::npos) << logged;
    EXPECT_NE(logged.find("deviceId=d"), std::string::npos) << logged;
  }
  const std::string encoded = "eyJhbGciOiJIUzI1NiJ9%2EeyJ1c2VySWQiOiJ1In0%2Ec2ln";
  EXPECT_EQ(redact_target("/x?q=" + encoded), "/x?q=[REDACTED]");
  EXPECT_EQ(redact_target("/x?" + jwt), "/x?[REDACTED]");
  EXPECT_EQ(redact_target("/api/" + jwt + "/y"), "/api/[REDACTED]/y");
  EXPECT_EQ(redact_target("/x?token=" + jwt + " y"), "[malformed target of 64 bytes]");
}

}  // namespace
}  // namespace archibald
