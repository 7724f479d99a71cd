#include "protocol/utf8.hpp"

#include <gtest/gtest.h>

namespace archibald {
namespace {

TEST(Utf8, CompleteEndsPass) {
  EXPECT_TRUE(ends_in_complete_utf8(""));
  EXPECT_TRUE(ends_in_complete_utf8("{\"a\":1}"));
  EXPECT_TRUE(ends_in_complete_utf8("caf\xC3\xA9"));        // é
  EXPECT_TRUE(ends_in_complete_utf8("\xE2\x82\xAC"));       // €
  EXPECT_TRUE(ends_in_complete_utf8("x\xF0\x9F\x98\x80"));  // 😀
  EXPECT_TRUE(
      ends_in_complete_utf8("\xE2\x82\xAC"
                            "abc"));
}

// Regression (hostile-input finding 5): "{\"" + E2 82 with FIN=0, then an empty final
// continuation, was delivered to the application.
TEST(Utf8, TruncatedSequencesAtTheEndFail) {
  EXPECT_FALSE(ends_in_complete_utf8("{\"\xE2\x82"));
  EXPECT_FALSE(ends_in_complete_utf8("\xE2"));
  EXPECT_FALSE(ends_in_complete_utf8("a\xC3"));
  EXPECT_FALSE(ends_in_complete_utf8("a\xF0\x9F\x98"));
  EXPECT_FALSE(ends_in_complete_utf8("a\xF0\x9F"));
}

}  // namespace
}  // namespace archibald
