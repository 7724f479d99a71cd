#include "postgres/pg_connection.hpp"

#include <gtest/gtest.h>

namespace archibald {
namespace {

TEST(PgTextArray, QuotesEveryValueAndEscapesQuotesAndBackslashes) {
  EXPECT_EQ(pg_text_array({}), "{}");
  EXPECT_EQ(pg_text_array({"u-1", "NULL", "a,b", "{x}"}), R"({"u-1","NULL","a,b","{x}"})");
  EXPECT_EQ(pg_text_array({R"(q"uote)", R"(back\slash)"}), R"({"q\"uote","back\\slash"})");
}

}  // namespace
}  // namespace archibald
