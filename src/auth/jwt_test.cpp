#include "auth/jwt.hpp"

#include <gtest/gtest.h>

#include "auth/base64url.hpp"

namespace archibald {
namespace {

constexpr std::string_view secret = "test-secret";
constexpr std::int64_t now = 1'764'150'000;

std::string payload(std::string_view extra = "") {
  return std::string(R"({"userId":"u-1001","username":"mario.rossi","role":"agent")") +
         std::string(extra) + "}";
}

jwt_error verify(const std::string& token, jwt_claims* out = nullptr) {
  jwt_claims claims;
  const jwt_error e = jwt_verifier(std::string(secret)).verify(token, now, claims);
  if (out) *out = claims;
  return e;
}

TEST(Jwt, AcceptsAValidTokenAndReadsItsClaims) {
  jwt_claims in;
  in.user_id = "u-1001";
  in.username = "mario.rossi";
  in.role = user_role::admin;
  in.device_id = "tablet-7f3a";
  in.issued_at = now;
  in.expires_at = now + 3600;
  jwt_claims out;
  ASSERT_EQ(verify(sign_jwt(in, secret), &out), jwt_error::none);
  EXPECT_EQ(out.user_id, "u-1001");
  EXPECT_EQ(out.username, "mario.rossi");
  EXPECT_EQ(out.role, user_role::admin);
  EXPECT_EQ(out.device_id, "tablet-7f3a");
  EXPECT_EQ(out.expires_at, now + 3600);
}

TEST(Jwt, RoleDefaultsToAgentWhenAbsentOrUnknown) {
  jwt_claims out;
  ASSERT_EQ(verify(sign_jwt_raw(R"({"alg":"HS256"})", R"({"userId":"a"})", secret), &out),
            jwt_error::none);
  EXPECT_EQ(out.role, user_role::agent);
  ASSERT_EQ(
      verify(sign_jwt_raw(R"({"alg":"HS256"})", R"({"userId":"a","role":"root"})", secret), &out),
      jwt_error::none);
  EXPECT_EQ(out.role, user_role::agent);
}

TEST(Jwt, NumericUserIdIsKeptAsText) {
  jwt_claims out;
  ASSERT_EQ(verify(sign_jwt_raw(R"({"alg":"HS256"})", R"({"userId":42})", secret), &out),
            jwt_error::none);
  EXPECT_EQ(out.user_id, "42");
}

TEST(Jwt, RejectsExpiredTokensBeyondTheLeeway) {
  const std::string header = R"({"alg":"HS256","typ":"JWT"})";
  EXPECT_EQ(verify(sign_jwt_raw(header, payload(",\"exp\":" + std::to_string(now - 31)), secret)),
            jwt_error::expired);
  // Within the 30 s clock skew allowance.
  EXPECT_EQ(verify(sign_jwt_raw(header, payload(",\"exp\":" + std::to_string(now - 29)), secret)),
            jwt_error::none);
}

TEST(Jwt, RejectsTokensNotYetValid) {
  const std::string header = R"({"alg":"HS256"})";
  EXPECT_EQ(verify(sign_jwt_raw(header, payload(",\"nbf\":" + std::to_string(now + 120)), secret)),
            jwt_error::not_yet_valid);
  EXPECT_EQ(verify(sign_jwt_raw(header, payload(",\"nbf\":" + std::to_string(now + 10)), secret)),
            jwt_error::none);
}

TEST(Jwt, RejectsABadSignature) {
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"HS256"})", payload(), "another-secret")),
            jwt_error::bad_signature);
  std::string token = sign_jwt_raw(R"({"alg":"HS256"})", payload(), secret);
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_NE(verify(token), jwt_error::none);
}

TEST(Jwt, RejectsAlgNoneEvenWithoutSignature) {
  const std::string unsigned_token =
      base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + base64url_encode(payload()) + ".";
  EXPECT_EQ(verify(unsigned_token), jwt_error::bad_algorithm);
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"none"})", payload(), secret)), jwt_error::bad_algorithm);
}

TEST(Jwt, RejectsOtherAlgorithms) {
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"HS512"})", payload(), secret)),
            jwt_error::bad_algorithm);
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"RS256"})", payload(), secret)),
            jwt_error::bad_algorithm);
  EXPECT_EQ(verify(sign_jwt_raw(R"({"typ":"JWT"})", payload(), secret)), jwt_error::bad_algorithm);
}

TEST(Jwt, RejectsMalformedSegments) {
  const std::string good = sign_jwt_raw(R"({"alg":"HS256"})", payload(), secret);
  EXPECT_EQ(verify(""), jwt_error::malformed);
  EXPECT_EQ(verify("abc"), jwt_error::malformed);
  EXPECT_EQ(verify("a.b"), jwt_error::malformed);
  EXPECT_EQ(verify(good + ".extra"), jwt_error::malformed);
  EXPECT_EQ(verify("!!!." + good.substr(good.find('.') + 1)), jwt_error::malformed);
  // Header that is base64 of something that is not a JSON object.
  EXPECT_EQ(verify(base64url_encode("[1,2]") + good.substr(good.find('.'))), jwt_error::malformed);
  // Payload that is not JSON, correctly signed.
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"HS256"})", "not json", secret)), jwt_error::malformed);
  // Signature with characters outside base64url.
  EXPECT_EQ(verify(good.substr(0, good.rfind('.')) + ".abc+/="), jwt_error::malformed);
  // exp of the wrong type.
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"HS256"})", payload(",\"exp\":\"tomorrow\""), secret)),
            jwt_error::malformed);
}

TEST(Jwt, RequiresAUserId) {
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"HS256"})", R"({"username":"x"})", secret)),
            jwt_error::missing_user_id);
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"HS256"})", R"({"userId":""})", secret)),
            jwt_error::missing_user_id);
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"HS256"})", R"({"userId":null})", secret)),
            jwt_error::missing_user_id);
  EXPECT_EQ(verify(sign_jwt_raw(R"({"alg":"HS256"})", R"({"userId":{"a":1}})", secret)),
            jwt_error::missing_user_id);
}

TEST(Base64url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    const auto decoded = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, bytes);
    bytes += static_cast<char>(i * 37 + 250);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64url, RejectsPaddingBadCharactersAndImpossibleLengths) {
  EXPECT_FALSE(base64url_decode("QQ==").has_value());
  EXPECT_FALSE(base64url_decode("a+b/").has_value());
  EXPECT_FALSE(base64url_decode("abcde").has_value());
  EXPECT_FALSE(base64url_decode("QR").has_value());  // non-zero trailing bits
  EXPECT_EQ(base64url_decode("QQ").value(), "A");
}

// The verifier remembers tokens it verified; what it remembers must never change an answer.
TEST(JwtCache, ARememberedTokenIsStillCheckedAgainstItsExpiry) {
  const jwt_verifier v{std::string(secret), std::chrono::seconds(0)};
  const std::string token = sign_jwt_raw(R"({"alg":"HS256","typ":"JWT"})",
                                         payload(R"(,"exp":)" + std::to_string(now + 60)), secret);
  jwt_claims claims;
  ASSERT_EQ(v.verify(token, now, claims), jwt_error::none);  // verified, remembered
  EXPECT_EQ(v.verify(token, now + 30, claims), jwt_error::none);
  EXPECT_EQ(claims.user_id, "u-1001");
  EXPECT_EQ(v.verify(token, now + 61, claims), jwt_error::expired);
}

TEST(JwtCache, ARememberedTokenIsStillCheckedAgainstNotBefore) {
  const jwt_verifier v{std::string(secret), std::chrono::seconds(0)};
  const std::string token = sign_jwt_raw(R"({"alg":"HS256","typ":"JWT"})",
                                         payload(R"(,"nbf":)" + std::to_string(now)), secret);
  jwt_claims claims;
  ASSERT_EQ(v.verify(token, now, claims), jwt_error::none);
  EXPECT_EQ(v.verify(token, now - 10, claims), jwt_error::not_yet_valid);
}

TEST(JwtCache, FailuresAreNotRememberedAndAnotherSecretIsAnotherVerifier) {
  const std::string token =
      sign_jwt_raw(R"({"alg":"HS256","typ":"JWT"})", payload(), "another-secret");
  const jwt_verifier v{std::string(secret)};
  jwt_claims claims;
  EXPECT_EQ(v.verify(token, now, claims), jwt_error::bad_signature);
  EXPECT_EQ(v.verify(token, now, claims), jwt_error::bad_signature);  // checked again
  EXPECT_EQ(jwt_verifier("another-secret").verify(token, now, claims), jwt_error::none);
  std::string tampered = token;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_NE(jwt_verifier("another-secret").verify(tampered, now, claims), jwt_error::none);
}

TEST(JwtRotation, PreviousSecretsVerifyAndEachSecretCountsItsVerifications) {
  const jwt_verifier v{std::vector<std::string>{"current", "previous-1", "previous-2"}};
  const auto token = [](std::string_view key) {
    return sign_jwt_raw(R"({"alg":"HS256","typ":"JWT"})", payload(), key);
  };
  jwt_claims claims;
  EXPECT_EQ(v.verify(token("current"), now, claims), jwt_error::none);
  EXPECT_EQ(v.verify(token("previous-2"), now, claims), jwt_error::none);
  EXPECT_EQ(claims.user_id, "u-1001");
  EXPECT_EQ(v.verify(token("previous-2"), now, claims), jwt_error::none);  // remembered: counted
  EXPECT_EQ(v.verify(token("random-secret"), now, claims), jwt_error::bad_signature);
  EXPECT_EQ(v.verifications_by_secret(), (std::vector<std::uint64_t>{1, 0, 2}));
}

TEST(JwtRotation, AnExpiredTokenOfAPreviousSecretIsNotCounted) {
  const jwt_verifier v{std::vector<std::string>{"current", "previous"}};
  const std::string expired =
      sign_jwt_raw(R"({"alg":"HS256","typ":"JWT"})",
                   payload(R"(,"exp":)" + std::to_string(now - 3600)), "previous");
  jwt_claims claims;
  EXPECT_EQ(v.verify(expired, now, claims), jwt_error::expired);
  EXPECT_EQ(v.verifications_by_secret(), (std::vector<std::uint64_t>{0, 0}));
}

TEST(JwtCache, StaysBoundedAndKeepsAnsweringPastItsCapacity) {
  const jwt_verifier v{std::string(secret)};
  jwt_claims claims;
  for (std::size_t i = 0; i < jwt_verifier::cache_capacity + 50; ++i) {
    const std::string token = sign_jwt_raw(
        R"({"alg":"HS256","typ":"JWT"})", R"({"userId":"u-)" + std::to_string(i) + R"("})", secret);
    ASSERT_EQ(v.verify(token, now, claims), jwt_error::none) << i;
    ASSERT_EQ(claims.user_id, "u-" + std::to_string(i));
  }
}

}  // namespace
}  // namespace archibald
