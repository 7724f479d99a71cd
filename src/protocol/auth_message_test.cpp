#include "protocol/auth_message.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace archibald {
namespace {

TEST(AuthMessage, ReadsTheTokenOfAnAuthMessage) {
  const std::string text = R"({"type":"AUTH","token":"a.b.c"})";
  EXPECT_EQ(parse_auth_message(text), "a.b.c");
}

TEST(AuthMessage, ATokenInThePayloadIsTakenWhenThereIsNoneAtTheTop) {
  EXPECT_EQ(parse_auth_message(R"({"type":"AUTH","payload":{"token":"p.q.r"}})"), "p.q.r");
  EXPECT_EQ(parse_auth_message(R"({"type":"AUTH","token":"top","payload":{"token":"p"}})"), "top");
  EXPECT_EQ(parse_auth_message(R"({"type":"AUTH","payload":"x"})"), "");
}

TEST(AuthMessage, AnAuthMessageWithoutAStringTokenHasAnEmptyOne) {
  EXPECT_EQ(parse_auth_message(R"({"type":"AUTH"})"), "");
  EXPECT_EQ(parse_auth_message(R"({"type":"AUTH","token":42})"), "");
  EXPECT_EQ(parse_auth_message(R"({"type":"AUTH","token":null})"), "");
}

TEST(AuthMessage, AnythingElseIsNotAnAuthMessage) {
  for (const char* text : {"ping", R"({"type":"AUTHX","token":"t"})", R"(["AUTH"])",
                           R"({"type":1})", R"({"type":"AUTH","token":"t")", "", R"("AUTH")"})
    EXPECT_EQ(parse_auth_message(text), std::nullopt) << text;
  EXPECT_EQ(parse_auth_message(R"({"type":"\u0041UTH","token":"t"})"), "t");  // JSON escapes
}

TEST(AuthMessage, AuthOkCarriesTheExpiry) {
  const auto v = boost::json::parse(auth_ok_message(1'764'150'000, "2025-11-26T09:40:00.000Z"));
  EXPECT_EQ(v.at("type"), "AUTH_OK");
  EXPECT_EQ(v.at("payload").at("exp"), 1'764'150'000);
  EXPECT_EQ(v.at("timestamp"), "2025-11-26T09:40:00.000Z");
}

}  // namespace
}  // namespace archibald
