#include "sync/cluster_feed.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <vector>

namespace archibald {
namespace {

struct recording_connection : connection {
  std::vector<std::int64_t> seqs;
  send_result send(const shared_message& m) override {
    seqs.push_back(m->seq);
    return send_result::queued;
  }
  void close(std::uint16_t, std::string_view) override {}
  void heartbeat() override {}
};

// The log of one user as the database holds it; read jobs wait until run_reads().
struct log_store : sync_store, store_reader {
  std::vector<stored_event> log;
  std::deque<read_job> reads;
  int reads_started = 0;

  void write(write_keys, write_job, write_done done) override { done(store_status::ok); }
  void read(read_job job) override {
    ++reads_started;
    reads.push_back(std::move(job));
  }
  bool ready() const override { return true; }
  void stop() override {}
  void run_reads() {
    while (!reads.empty()) {
      auto job = std::move(reads.front());
      reads.pop_front();
      job(*this, store_status::ok);
    }
  }
  std::vector<std::string> list(std::string_view, std::string_view,
                                std::optional<std::int64_t>) override {
    return {};
  }
  event_window events_after_seq(std::string_view, std::int64_t after, std::size_t) override {
    event_window w;
    for (const auto& e : log)
      if (e.seq > after) w.events.push_back(e);
    w.first_seq = log.empty() ? 0 : log.front().seq;
    w.last_seq = log.empty() ? 0 : log.back().seq;
    return w;
  }
  event_window events_after_time(std::string_view, std::int64_t, std::size_t) override {
    return {};
  }
  std::vector<std::int64_t> last_seqs(const std::vector<std::string>& users) override {
    return std::vector<std::int64_t>(users.size(), log.empty() ? 0 : log.back().seq);
  }
  bool failed() const override { return false; }
  void commit(std::int64_t seq) { log.push_back({seq, 0, "e" + std::to_string(seq)}); }
};

class ClusterFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bool reconnection = false;
    registry.add("u", device, reconnection);
  }
  shared_message event(std::int64_t seq) { return share("e" + std::to_string(seq), seq); }

  log_store store;
  connection_registry registry{{}};
  std::shared_ptr<recording_connection> device = std::make_shared<recording_connection>();
  cluster_feed feed{store, registry};
};

// A cursor started by the first event heard guesses that what came before predates the user's
// devices here; only a read places it. A new device of a user not placed asks for a replay.
TEST_F(ClusterFeedTest, AUserIsFollowedFromAPlaceOnlyOnceAReadPlacedIt) {
  EXPECT_FALSE(feed.follows("u"));
  store.commit(1);
  store.commit(2);
  feed.committed("u", event(2));  // 1 committed by another node, its hint not here yet
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{2}));
  EXPECT_FALSE(feed.follows("u")) << "placed by a guess";
  feed.replayed("u", 2);  // a new device's replay read up to 2
  EXPECT_TRUE(feed.follows("u"));

  log_store other_store;
  cluster_feed other{other_store, registry};
  other_store.commit(1);
  other.hinted("u", 1);
  EXPECT_FALSE(other.follows("u")) << "until its read";
  other_store.run_reads();
  EXPECT_TRUE(other.follows("u"));
}

TEST_F(ClusterFeedTest, OwnCommitsInOrderGoStraightOut) {
  for (std::int64_t seq = 1; seq <= 3; ++seq) {
    store.commit(seq);
    EXPECT_EQ(feed.committed("u", event(seq)), 1u);
  }
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(store.reads_started, 0);
}

TEST_F(ClusterFeedTest, AnOwnCommitWhoseHintCameFirstIsCountedAsReachingTheDevices) {
  store.commit(1);
  feed.committed("u", event(1));
  store.commit(2);
  feed.hinted("u", 2);  // the NOTIFY reached the listener before the writer reported it
  store.run_reads();    // and the read delivered it
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(feed.committed("u", event(2)), 1u);  // delivered once, to the one device here
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1, 2}));
}

TEST_F(ClusterFeedTest, ACommitAfterAGapWaitsForTheGapReadFromTheStore) {
  store.commit(1);
  feed.committed("u", event(1));
  store.commit(2);  // another node's, its hint not here yet
  store.commit(3);
  feed.committed("u", event(3));
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1}));  // 3 waits for 2
  feed.hinted("u", 2);                                      // late: the read is under way already
  EXPECT_EQ(store.reads_started, 1);
  store.run_reads();
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1, 2, 3}));
}

TEST_F(ClusterFeedTest, HintsCollapseIntoOneReadAndNothingGoesOutTwice) {
  store.commit(1);
  feed.committed("u", event(1));
  for (std::int64_t seq = 2; seq <= 5; ++seq) {
    store.commit(seq);
    feed.hinted("u", seq);
  }
  EXPECT_EQ(store.reads_started, 1);
  store.run_reads();
  feed.hinted("u", 5);  // a duplicate hint: nothing to read
  feed.hinted("u", 3);
  store.run_reads();
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(store.reads_started, 1);
}

TEST_F(ClusterFeedTest, SeveralUsersHintedBeforeTheReaderGetsToThemShareOneRead) {
  auto other = std::make_shared<recording_connection>();
  bool reconnection = false;
  registry.add("v", other, reconnection);
  store.commit(1);  // each user's log holds seq 1 (the test store has one log for all)
  feed.hinted("u", 1);
  feed.hinted("v", 1);
  EXPECT_EQ(store.reads_started, 1);
  store.run_reads();
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(other->seqs, (std::vector<std::int64_t>{1}));
  store.commit(2);
  feed.hinted("v", 2);  // the job ran: a new hint queues a new one
  EXPECT_EQ(store.reads_started, 2);
}

TEST_F(ClusterFeedTest, HintsForUsersWithNoDeviceHereCostNothing) {
  feed.hinted("elsewhere", 7);
  EXPECT_EQ(store.reads_started, 0);
  EXPECT_EQ(feed.cursors(), 0u);
}

TEST_F(ClusterFeedTest, AfterTheListenerReconnectsEveryUserCatchesUp) {
  store.commit(1);
  feed.committed("u", event(1));
  store.commit(2);  // its hint lost with the LISTEN session
  feed.catch_up_all();
  store.run_reads();
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1, 2}));
}

// A hint lost for good (no later write): the periodic position check finds the newer seq.
TEST_F(ClusterFeedTest, ThePositionCheckDeliversWhatALostHintAnnounced) {
  store.commit(1);
  feed.hinted("u", 1);
  store.run_reads();
  store.commit(2);  // its hint never comes
  feed.check_positions();
  store.run_reads();  // the positions
  store.run_reads();  // the gap
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1, 2}));
  feed.check_positions();
  store.run_reads();
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{1, 2})) << "nothing new: nothing sent";
}

// A device that replayed up to seq 3 makes its user followed from there: the next commit of
// another node is delivered even if its hint is lost, and nothing before it is sent again.
TEST_F(ClusterFeedTest, AReplayStartsTheUsersCursorAtItsLastSeq) {
  for (std::int64_t seq = 1; seq <= 3; ++seq) store.commit(seq);
  feed.replayed("u", 3);
  EXPECT_EQ(feed.cursors(), 1u);
  store.commit(4);
  feed.check_positions();
  store.run_reads();
  store.run_reads();
  EXPECT_EQ(device->seqs, (std::vector<std::int64_t>{4}));
}

}  // namespace
}  // namespace archibald
