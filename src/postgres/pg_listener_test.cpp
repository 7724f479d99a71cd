#include "postgres/pg_listener.hpp"

#include <gtest/gtest.h>

namespace archibald {
namespace {

TEST(PgListener, HintsAreUserAndSeqSplitAtTheLastColon) {
  std::string_view user;
  std::int64_t seq = 0;
  ASSERT_TRUE(parse_hint("u-1001:42", user, seq));
  EXPECT_EQ(user, "u-1001");
  EXPECT_EQ(seq, 42);
  ASSERT_TRUE(parse_hint("tenant:agent:7", user, seq));  // a user id with a colon
  EXPECT_EQ(user, "tenant:agent");
  EXPECT_EQ(seq, 7);
  for (const char* bad : {"", "u", ":5", "u:", "u:0", "u:-3", "u:12x", "u:99999999999999999999"})
    EXPECT_FALSE(parse_hint(bad, user, seq)) << bad;
}

}  // namespace
}  // namespace archibald
