#include "http/request_framing.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace archibald {
namespace {

const char* check(std::vector<std::string_view> fields, unsigned version = 11) {
  return transfer_encoding_error(version, fields);
}

TEST(RequestFraming, NoTransferEncodingOrExactlyChunkedIsSound) {
  EXPECT_EQ(check({}), nullptr);
  EXPECT_EQ(check({}, 10), nullptr);
  EXPECT_EQ(check({"chunked"}), nullptr);
  EXPECT_EQ(check({"Chunked"}), nullptr);
  EXPECT_EQ(check({" chunked , "}), nullptr);
}

// Regression (hostile-input finding 1): these were answered, and their bodies read as a
// second request.
TEST(RequestFraming, AnyOtherTransferEncodingIsRefused) {
  for (const auto& fields : std::vector<std::vector<std::string_view>>{{"identity"},
                                                                       {"gzip"},
                                                                       {"xchunked"},
                                                                       {"chunked, identity"},
                                                                       {"gzip, chunked"},
                                                                       {"gzip", "chunked"},
                                                                       {"chunked", "chunked"},
                                                                       {"chunked;q=1"},
                                                                       {""},
                                                                       {" , "}})
    EXPECT_NE(check(fields), nullptr) << (fields.empty() ? "" : fields.front());
  EXPECT_STREQ(check({"chunked"}, 10), "Transfer-Encoding in an HTTP/1.0 request");
}

}  // namespace
}  // namespace archibald
