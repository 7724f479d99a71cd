#include "load/delivery_tracker.hpp"

#include <gtest/gtest.h>

namespace archibald::load {
namespace {

using namespace std::chrono_literals;
using clock_type = delivery_tracker::clock;

struct tracker_fixture : ::testing::Test {
  delivery_tracker t{3};
  load_stats stats;
  clock_type::time_point t0 = clock_type::now();

  void SetUp() override {
    for (std::size_t d = 0; d < 3; ++d) t.device_attached(d);
  }
  void deliver(std::size_t device, std::int64_t key, std::optional<std::int64_t> seq,
               std::chrono::milliseconds at) {
    t.event_received(device, key, seq, t0 + at, stats);
  }
};

TEST_F(tracker_fixture, LatencyFromTheIntendedTimeForEveryOtherDevice) {
  t.write_sent(100, t0, t0 + 5ms, 0);  // sent 5 ms late
  deliver(0, 100, 1, 6ms);             // the writer's own copy: not a latency sample
  deliver(1, 100, 1, 7ms);
  deliver(2, 100, 1, 9ms);
  EXPECT_EQ(stats[counter::deliveries], 3u);
  EXPECT_EQ(stats[trend::ws_e2e_latency].count(), 2u);
  EXPECT_EQ(stats[trend::ws_e2e_latency].min_us(), 7000u);
  EXPECT_EQ(stats[trend::ws_e2e_latency_uncorrected].min_us(), 2000u);
  EXPECT_EQ(t.incomplete(), 0u);
  t.expire(t0 + 1h, 10s, stats);
  EXPECT_EQ(stats[counter::ws_msgs_lost], 0u);
}

TEST_F(tracker_fixture, MissingDeliveriesAreLostAtTheTimeout) {
  t.write_sent(1, t0, t0, std::nullopt);
  t.write_sent(2, t0 + 1s, t0 + 1s, std::nullopt);
  deliver(0, 1, 1, 1ms);
  deliver(1, 1, 1, 1ms);
  t.expire(t0 + 5s, 10s, stats);
  EXPECT_EQ(stats[counter::ws_msgs_lost], 0u);  // not yet due
  EXPECT_EQ(t.incomplete(), 2u);
  t.expire(t0 + 10500ms, 10s, stats);  // write 1 is due: device 2 never got it
  EXPECT_EQ(stats[counter::ws_msgs_lost], 1u);
  t.expire_all(stats);  // write 2 reached nobody
  EXPECT_EQ(stats[counter::ws_msgs_lost], 4u);
  deliver(2, 1, 1, 20s);                        // far too late: counted, still lost
  EXPECT_EQ(stats[counter::ws_msgs_late], 0u);  // the window is empty: nothing to compare
}

TEST_F(tracker_fixture, LateArrivalsAfterTheWindowAreCountedLate) {
  t.write_sent(1, t0, t0, std::nullopt);
  t.write_sent(2, t0 + 20s, t0 + 20s, std::nullopt);
  t.expire(t0 + 15s, 10s, stats);  // write 1 leaves the window unanswered
  EXPECT_EQ(stats[counter::ws_msgs_lost], 3u);
  deliver(0, 1, 1, 16s);
  EXPECT_EQ(stats[counter::ws_msgs_late], 1u);
  EXPECT_EQ(stats[counter::deliveries], 0u);
}

TEST_F(tracker_fixture, DuplicatesReorderingsAndSeqGaps) {
  for (std::int64_t k = 1; k <= 4; ++k) t.write_sent(k, t0, t0, std::nullopt);
  deliver(0, 1, 1, 1ms);
  deliver(0, 1, 1, 2ms);  // again
  deliver(0, 3, 3, 3ms);  // seq 2 skipped
  deliver(0, 2, 2, 4ms);  // arrives after a later write
  deliver(0, 4, 4, 5ms);
  EXPECT_EQ(stats[counter::ws_msgs_duplicated], 1u);
  EXPECT_EQ(stats[counter::ws_msgs_reordered], 1u);
  EXPECT_EQ(stats[counter::ws_seq_gaps], 1u);
  EXPECT_EQ(stats[counter::deliveries], 4u);
  EXPECT_EQ(t.last_seq(0), 4);
  EXPECT_EQ(t.last_seq(1), std::nullopt);
}

TEST_F(tracker_fixture, FailedWritesExpectNothingAndLateDevicesOnlyLaterWrites) {
  delivery_tracker fresh(2);
  fresh.device_attached(0);
  fresh.write_sent(1, t0, t0, 0);  // device 1 not up yet: only device 0 expects it
  fresh.device_attached(1);
  fresh.write_sent(2, t0, t0, 0);
  fresh.write_sent(3, t0, t0, 0);
  fresh.write_failed(3);  // refused: no event expected
  fresh.event_received(0, 1, 1, t0, stats);
  fresh.event_received(0, 2, 2, t0, stats);
  fresh.event_received(1, 2, 2, t0, stats);
  fresh.expire_all(stats);
  EXPECT_EQ(stats[counter::ws_msgs_lost], 0u);
  EXPECT_EQ(stats[counter::deliveries], 3u);
}

TEST(DeliveryTracker, ADeviceFailsOverToTheNextNodeAndOwesWhatItHasNotReceived) {
  const auto t0 = clock_type::now();
  delivery_tracker t({2, 0}, 3);
  load_stats stats;
  t.device_attached(0);
  t.device_attached(1);
  t.fail_over(0);
  EXPECT_EQ(t.node_of(0), 0u) << "after the last node, the first";
  t.fail_over(1, 1);
  EXPECT_EQ(t.node_of(1), 2u) << "the second of the others";
  EXPECT_EQ(t.owed(0), 0u);
  t.write_sent(1, t0, t0, 1, 1);
  t.write_sent(2, t0, t0, 1, 1);
  EXPECT_EQ(t.owed(0), 2u);
  t.event_received(0, 2, 2, t0 + 1ms, stats);
  EXPECT_EQ(t.owed(0), 1u);
  t.write_failed(1);
  EXPECT_EQ(t.owed(0), 0u) << "a failed write's event is not owed";
}

TEST(DeliveryTracker, SeveralNodesSplitLatencyIntoSameAndCrossNodeAndCountPerNode) {
  const auto t0 = clock_type::now();
  delivery_tracker t({0, 1, 1}, 2);  // device 0 on node 0, devices 1 and 2 on node 1
  load_stats stats;
  for (std::size_t d = 0; d < 3; ++d) t.device_attached(d);
  t.write_sent(1, t0, t0, 1, 1);               // written by device 1 through node 1
  t.event_received(1, 1, 1, t0 + 1ms, stats);  // its own copy: no latency sample
  t.event_received(2, 1, 1, t0 + 2ms, stats);  // same node
  t.event_received(0, 1, 1, t0 + 7ms, stats);  // the other node
  t.write_sent(2, t0, t0, 0, 0);               // through node 0; device 2 never gets it
  t.event_received(0, 2, 2, t0 + 1ms, stats);  // its own copy
  t.event_received(1, 2, 2, t0 + 3ms, stats);
  t.event_received(1, 2, 2, t0 + 4ms, stats);  // again
  t.expire_all(stats);
  EXPECT_EQ(stats[trend::ws_e2e_latency].count(), 3u);
  EXPECT_EQ(stats[trend::ws_e2e_latency_same_node].count(), 1u);
  EXPECT_EQ(stats[trend::ws_e2e_latency_same_node].max_us(), 2000u);
  EXPECT_EQ(stats[trend::ws_e2e_latency_cross_node].count(), 2u);  // 7 ms and 3 ms
  EXPECT_EQ(stats[trend::ws_e2e_latency_cross_node].max_us(), 7000u);
  ASSERT_EQ(stats.nodes.size(), 2u);
  EXPECT_EQ(stats.nodes[0][counter::deliveries], 2u);
  EXPECT_EQ(stats.nodes[1][counter::deliveries], 3u);
  EXPECT_EQ(stats.nodes[1][counter::ws_msgs_duplicated], 1u);
  EXPECT_EQ(stats.nodes[0][counter::ws_msgs_lost], 0u);
  EXPECT_EQ(stats.nodes[1][counter::ws_msgs_lost], 1u);
  EXPECT_EQ(stats.nodes[0][trend::ws_e2e_latency].max_us(), 7000u);
  EXPECT_EQ(stats[counter::ws_msgs_lost], 1u);
  EXPECT_EQ(t.node_stats(0, stats), &stats.nodes[0]);
}

TEST(DeliveryTracker, OneNodeKeepsNoPerNodeFigures) {
  const auto t0 = clock_type::now();
  delivery_tracker t({0, 0}, 1);
  load_stats stats;
  t.device_attached(0);
  t.device_attached(1);
  t.write_sent(1, t0, t0, 0, 0);
  t.event_received(1, 1, 1, t0 + 1ms, stats);
  EXPECT_EQ(stats[trend::ws_e2e_latency].count(), 1u);
  EXPECT_EQ(stats[trend::ws_e2e_latency_same_node].count(), 0u);
  EXPECT_TRUE(stats.nodes.empty());
  EXPECT_EQ(t.node_stats(0, stats), nullptr);
}

}  // namespace
}  // namespace archibald::load
