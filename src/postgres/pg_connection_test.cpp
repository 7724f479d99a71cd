#include "postgres/pg_connection.hpp"

#include <gtest/gtest.h>

namespace archibald {
namespace {

TEST(PgTextArray, QuotesEveryValueAndEscapesQuotesAndBackslashes) {
  using strings = std::vector<std::string>;
  EXPECT_EQ(pg_text_array(strings{}), "{}");
  EXPECT_EQ(pg_text_array(strings{"u-1", "NULL", "a,b", "{x}"}), R"({"u-1","NULL","a,b","{x}"})");
  EXPECT_EQ(pg_text_array(strings{R"(q"uote)", R"(back\slash)"}), R"({"q\"uote","back\\slash"})");
  const std::string frame = R"({"type":"X","payload":{"a":"b\"c"}})";
  EXPECT_EQ(pg_text_array(std::vector<std::string_view>{frame, ""}),
            R"({"{\"type\":\"X\",\"payload\":{\"a\":\"b\\\"c\"}}",""})");
}

TEST(PgInt64Array, ListsTheNumbers) {
  EXPECT_EQ(pg_int64_array({}), "{}");
  EXPECT_EQ(pg_int64_array({1, -2, 9'223'372'036'854'775'807}), "{1,-2,9223372036854775807}");
}

TEST(PgConnection, KeepalivesAreOnUnlessTheUrlSaysOtherwise) {
  // Port 1 on loopback: nothing listens; the options are settled before connecting.
  const pg_connection plain("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1");
  EXPECT_FALSE(plain.ok());
  EXPECT_EQ(plain.option("keepalives"), "1");
  EXPECT_EQ(plain.option("keepalives_idle"), "10");
  EXPECT_EQ(plain.option("port"), "1");
  const pg_connection own(
      "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1&keepalives_idle=60&keepalives=0");
  EXPECT_EQ(own.option("keepalives_idle"), "60");
  EXPECT_EQ(own.option("keepalives"), "0");
}

}  // namespace
}  // namespace archibald
