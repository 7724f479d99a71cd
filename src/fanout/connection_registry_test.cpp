#include "fanout/connection_registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace archibald {
namespace {

// A connection that records what it was sent.
struct recording_connection : connection {
  send_result result = send_result::queued;
  std::vector<shared_message> received;
  std::mutex mutex;
  send_result send(const shared_message& m) override {
    std::lock_guard lock(mutex);
    received.push_back(m);
    return result;
  }
  void close(std::uint16_t, std::string_view) override {}
  void heartbeat() override {}
};

std::shared_ptr<recording_connection> add_device(connection_registry& r, const std::string& user,
                                                 bool* reconnection = nullptr) {
  auto c = std::make_shared<recording_connection>();
  bool again = false;
  EXPECT_EQ(r.add(user, c, again), admission::admitted);
  if (reconnection) *reconnection = again;
  return c;
}

TEST(ConnectionRegistry, SendsToEveryDeviceOfTheUserAndNobodyElse) {
  connection_registry r({});
  auto phone = add_device(r, "u-1");
  auto tablet = add_device(r, "u-1");
  auto other = add_device(r, "u-2");
  const auto m = share("event");
  EXPECT_EQ(r.send_to_user("u-1", m), 2u);
  EXPECT_EQ(phone->received.size(), 1u);
  EXPECT_EQ(tablet->received.size(), 1u);
  EXPECT_TRUE(other->received.empty());
  // Every recipient shares the one serialised buffer.
  EXPECT_EQ(phone->received[0].get(), tablet->received[0].get());
  EXPECT_EQ(r.send_to_user("nobody", m), 0u);
}

TEST(ConnectionRegistry, SendToAllReachesEveryone) {
  connection_registry r({});
  auto a = add_device(r, "a");
  auto b = add_device(r, "b");
  auto b2 = add_device(r, "b");
  EXPECT_EQ(r.send_to_all(share("x")), 3u);
  EXPECT_EQ(a->received.size() + b->received.size() + b2->received.size(), 3u);
}

TEST(ConnectionRegistry, SlicesPartitionTheConnections) {
  connection_registry r({});
  for (int u = 0; u < 300; ++u) add_device(r, "user-" + std::to_string(u));
  std::size_t total = 0, largest = 0;
  std::vector<const connection*> seen;
  for (std::size_t i = 0; i < connection_registry::slice_count(); ++i) {
    const auto slice = r.snapshot_slice(i);
    total += slice.size();
    largest = std::max(largest, slice.size());
    for (const auto& c : slice) seen.push_back(c.get());
  }
  EXPECT_EQ(total, 300u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());  // each exactly once
  EXPECT_LT(largest, 30u);  // spread, not all in one slice
}

TEST(ConnectionRegistry, CountsOnlyQueuedDeliveries) {
  connection_registry r({});
  auto ok = add_device(r, "u");
  auto slow = add_device(r, "u");
  slow->result = send_result::overloaded;
  EXPECT_EQ(r.send_to_user("u", share("x")), 1u);
}

TEST(ConnectionRegistry, TracksReconnectionsUsersAndTotals) {
  connection_registry r({});
  bool again = true;
  auto first = add_device(r, "u", &again);
  EXPECT_FALSE(again);
  auto second = add_device(r, "u", &again);
  EXPECT_TRUE(again);
  add_device(r, "v");
  EXPECT_EQ(r.total(), 3u);
  EXPECT_EQ(r.active_users(), 2u);
  auto per_user = r.connections_per_user();
  std::sort(per_user.begin(), per_user.end());
  ASSERT_EQ(per_user.size(), 2u);
  EXPECT_EQ(per_user[0], (std::pair<std::string, std::size_t>{"u", 2}));

  r.remove("u", first.get());
  r.remove("u", first.get());  // twice: no effect
  EXPECT_EQ(r.total(), 2u);
  r.remove("u", second.get());
  EXPECT_EQ(r.active_users(), 1u);
  EXPECT_EQ(r.send_to_user("u", share("x")), 0u);
}

TEST(ConnectionRegistry, EnforcesPerUserAndTotalCaps) {
  connection_registry r({.max_total = 3, .max_per_user = 2});
  add_device(r, "u");
  add_device(r, "u");
  bool again = false;
  EXPECT_EQ(r.add("u", std::make_shared<recording_connection>(), again), admission::over_user);
  add_device(r, "v");
  EXPECT_EQ(r.add("w", std::make_shared<recording_connection>(), again), admission::over_total);
  EXPECT_EQ(r.total(), 3u);
}

TEST(ConnectionRegistry, StaysConsistentUnderConcurrentAddRemoveAndSend) {
  connection_registry r({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&r, t] {
      const std::string user = "user-" + std::to_string(t % 2);
      for (int i = 0; i < 2000; ++i) {
        auto c = std::make_shared<recording_connection>();
        bool again = false;
        ASSERT_EQ(r.add(user, c, again), admission::admitted);
        r.send_to_user(user, share("x"));
        r.remove(user, c.get());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.total(), 0u);
  EXPECT_EQ(r.active_users(), 0u);
}

}  // namespace
}  // namespace archibald
