#include "net/outbound_queue.hpp"

#include <gtest/gtest.h>

#include <string>

namespace archibald {
namespace {

shared_message frame(std::size_t bytes, std::int64_t seq = 0) {
  return share(std::string(bytes, 'x'), seq);
}

// The fan-out's path: reserve off the loop, then push on it.
void fan_out(outbound_queue& q, const shared_message& m) {
  ASSERT_TRUE(q.reserve(m->size()));
  q.push({m, outbound_queue::clock::now()});
}

TEST(OutboundQueue, CountsAFrameFromReservationUntilWritten) {
  outbound_queue q(1000);
  fan_out(q, frame(100));
  fan_out(q, frame(50));
  EXPECT_EQ(q.bytes(), 150u);
  EXPECT_EQ(q.start_write().message->size(), 100u);
  EXPECT_TRUE(q.writing());
  EXPECT_TRUE(q.has_unwritten());  // the second frame
  EXPECT_EQ(q.bytes(), 150u);      // in flight still counts
  q.finish_write();
  EXPECT_EQ(q.bytes(), 50u);
  EXPECT_EQ(q.start_write().message->size(), 50u);
  EXPECT_FALSE(q.has_unwritten());
  q.finish_write();
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_FALSE(q.writing());
}

TEST(OutboundQueue, RefusesAFrameOverTheBoundButLetsABigOneIntoAnEmptyQueue) {
  outbound_queue q(100);
  EXPECT_TRUE(q.reserve(500));  // alone: let through, or it could never be sent
  EXPECT_FALSE(q.reserve(1));   // anything more is over the bound
  EXPECT_EQ(q.bytes(), 500u);   // the refused one is not counted
  q.release(500);
  EXPECT_TRUE(q.reserve(60));
  EXPECT_TRUE(q.reserve(40));  // exactly at the bound
  EXPECT_FALSE(q.reserve(1));
  EXPECT_EQ(q.bytes(), 100u);
}

TEST(OutboundQueue, OwnFramesAreCountedAndGoAheadOfHeldOnes) {
  outbound_queue q(1000);
  q.hold();
  fan_out(q, frame(10, 7));  // a live event during the replay: held
  q.push_now(frame(20, 5));  // the replay's page: out at once
  EXPECT_EQ(q.bytes(), 30u);
  EXPECT_EQ(q.start_write().message->seq, 5);
  q.finish_write();
  EXPECT_FALSE(q.has_unwritten());  // the live event still waits
  q.resume([](const outbound_frame&) { return false; });
  EXPECT_EQ(q.start_write().message->seq, 7);
  q.finish_write();
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, ResumingDropsAndUncountsWhatTheReplayAlreadySent) {
  outbound_queue q(1000);
  q.hold();
  fan_out(q, frame(10, 3));
  fan_out(q, frame(10, 4));
  fan_out(q, frame(10, 5));
  q.resume([](const outbound_frame& m) { return m.seq <= 4; });
  EXPECT_FALSE(q.holding());
  EXPECT_EQ(q.bytes(), 10u);
  EXPECT_EQ(q.start_write().message->seq, 5);
  q.finish_write();
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, ClosingDropsAllButTheFrameInFlight) {
  outbound_queue q(1000);
  fan_out(q, frame(100));
  fan_out(q, frame(200));
  q.hold();
  fan_out(q, frame(300));
  q.start_write();
  q.drop_unwritten();
  EXPECT_EQ(q.bytes(), 100u);  // the frame being written must complete first
  EXPECT_FALSE(q.has_unwritten());
  EXPECT_FALSE(q.holding());
  q.finish_write();
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, AReservationGivenBackLeavesNoTrace) {
  outbound_queue q(1000);
  ASSERT_TRUE(q.reserve(40));
  q.release(40);  // e.g. the connection started closing before the frame arrived
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_FALSE(q.has_unwritten());
}

TEST(OutboundQueue, ManyWritesThenIdleKeepsNoRoom) {
  outbound_queue q(1 << 20);
  for (int i = 0; i < 1000; ++i) fan_out(q, frame(10));
  while (q.has_unwritten()) {
    q.start_write();
    q.finish_write();
  }
  EXPECT_EQ(q.bytes(), 0u);
  fan_out(q, frame(10));  // starts again at the front
  EXPECT_EQ(q.start_write().message->size(), 10u);
  q.finish_write();
  EXPECT_EQ(q.bytes(), 0u);
}

}  // namespace
}  // namespace archibald
