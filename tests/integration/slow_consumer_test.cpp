// A client that stops reading is closed with 1013 and server memory stays bounded (DESIGN §3).
#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

TEST(SlowConsumer, IsClosedWith1013WhileServerMemoryStaysBounded) {
  server_process server;                       // default outbound bound: 1 MiB per connection
  auto stalled = open_device(server, "slow");  // never reads until the end
  auto healthy = open_device(server, "fast");
  ASSERT_TRUE(wait_for_stat(server, "totalConnections", 2));
  const std::uint64_t rss_before = server.rss_bytes();

  const std::string payload = "{\"blob\":\"" + std::string(32 * 1024, 'x') + "\"}";
  int published = 0;
  bool cut_off = false;
  // 3,000 × 32 KiB = 96 MiB if nothing stopped it; kernel buffers hold a few MiB at most.
  for (; published < 3000 && !cut_off; ++published) {
    const auto r = publish(server, "slow", "BULK", payload);
    ASSERT_EQ(r.status, 200) << r.body << r.error;
    cut_off = boost::json::parse(r.body).at("delivered") == 0;
  }
  ASSERT_TRUE(cut_off) << "still queued after " << published << " publishes";
  const std::uint64_t rss_after = server.rss_bytes();
  EXPECT_LT(rss_after, rss_before + 32u * 1024 * 1024)
      << "before " << rss_before << " after " << rss_after;

  // Other users are unaffected.
  ASSERT_EQ(boost::json::parse(publish(server, "fast", "X").body).at("delivered"), 1);
  EXPECT_EQ(healthy->read(5s).what, ws_event::kind::message);

  // The stalled client, reading again, drains what was in flight, then finds the 1013.
  ws_event ev;
  int drained = 0;
  do {
    ev = stalled->read(5s);
    drained += ev.what == ws_event::kind::message;
  } while (ev.what == ws_event::kind::message);
  ASSERT_EQ(ev.what, ws_event::kind::closed) << ev.error << " after " << drained << " messages";
  EXPECT_EQ(ev.close_code, 1013);
  EXPECT_LT(drained, published);

  EXPECT_EQ(stat(server, "slowConsumerCloses"), 1);
  EXPECT_TRUE(wait_for_stat(server, "totalConnections", 1));
}

}  // namespace
}  // namespace archibald::testing
