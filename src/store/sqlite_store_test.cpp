#include "store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

namespace archibald {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("archibald-store-test-" + std::to_string(::getpid()) + "-" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { std::filesystem::remove_all(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }

  sqlite_store_options options() {
    sqlite_store_options o;
    o.path = (dir / "sub" / "test.db").string();
    return o;
  }

  static store_status write_sync(sync_store& s, sync_store::write_job job) {
    std::promise<store_status> p;
    s.write({}, std::move(job), [&p](store_status st) { p.set_value(st); });
    return p.get_future().get();
  }
  template <typename T>
  static T read_sync(sync_store& s, std::function<T(store_reader&)> fn) {
    std::promise<T> p;
    s.read([&](store_reader& r, store_status) { p.set_value(fn(r)); });
    return p.get_future().get();
  }
  // One record write plus its event, as the sync layer does.
  static sync_store::write_job put_with_event(std::string user, std::string id, std::int64_t at) {
    return [=](store_transaction& t) {
      std::string data = "{\"id\":\"";  // (appends: GCC 12 warns falsely on a + chain)
      data.append(id).append("\"}");
      t.put("draft-orders", {id, user, at, at, data});
      const auto seq = t.next_seq(user);
      t.append_event(user, {seq, at, std::string("frame-").append(std::to_string(seq))});
    };
  }
};

TEST_F(SqliteStoreTest, CreatesFoldersMigratesAndRoundTripsRecords) {
  sqlite_store store(options());
  ASSERT_EQ(store.error(), "");
  EXPECT_TRUE(store.ready());
  ASSERT_EQ(write_sync(store, put_with_event("u", "a", 100)), store_status::ok);
  ASSERT_EQ(write_sync(store, put_with_event("u", "b", 300)), store_status::ok);
  ASSERT_EQ(write_sync(store, put_with_event("v", "c", 200)), store_status::ok);
  const auto mine = read_sync<std::vector<std::string>>(
      store, [](store_reader& r) { return r.list("draft-orders", "u", std::nullopt); });
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0], "{\"id\":\"b\"}");  // newest first
  const auto after = read_sync<std::vector<std::string>>(
      store, [](store_reader& r) { return r.list("draft-orders", "u", 100); });
  EXPECT_EQ(after.size(), 1u);
  EXPECT_TRUE(read_sync<std::vector<std::string>>(store, [](store_reader& r) {
                return r.list("pending-orders", "u", std::nullopt);
              }).empty());
}

TEST_F(SqliteStoreTest, SeqsArePerUserGapFreeAndSurviveARestart) {
  {
    sqlite_store store(options());
    for (const char* id : {"r0", "r1", "r2", "r3", "r4"})
      ASSERT_EQ(write_sync(store, put_with_event("u", id, 1)), store_status::ok);
    ASSERT_EQ(write_sync(store, put_with_event("v", "x", 1)), store_status::ok);
  }
  sqlite_store store(options());
  ASSERT_EQ(write_sync(store, put_with_event("u", "r9", 9)), store_status::ok);
  const auto w = read_sync<event_window>(
      store, [](store_reader& r) { return r.events_after_seq("u", 2, 100); });
  EXPECT_EQ(w.first_seq, 1);
  EXPECT_EQ(w.last_seq, 6);
  ASSERT_EQ(w.events.size(), 4u);
  for (std::size_t i = 0; i < w.events.size(); ++i) EXPECT_EQ(w.events[i].seq, 3 + std::int64_t(i));
  EXPECT_EQ(w.events.back().frame, "frame-6");
}

TEST_F(SqliteStoreTest, AFailedJobLeavesNoTraceAndDoesNotHarmItsBatchNeighbours) {
  sqlite_store store(options());
  // Queue several jobs at once so they share a transaction; the middle one fails.
  std::vector<std::promise<store_status>> done(3);
  store.write({}, put_with_event("u", "a", 1), [&](store_status s) { done[0].set_value(s); });
  store.write(
      {},
      [](store_transaction& t) {
        const auto seq = t.next_seq("u");
        t.append_event("u", {seq, 1, "ok"});
        t.append_event("u", {seq, 1, "duplicate seq: constraint violation"});
      },
      [&](store_status s) { done[1].set_value(s); });
  store.write({}, put_with_event("u", "b", 2), [&](store_status s) { done[2].set_value(s); });
  EXPECT_EQ(done[0].get_future().get(), store_status::ok);
  EXPECT_EQ(done[1].get_future().get(), store_status::unavailable);
  EXPECT_EQ(done[2].get_future().get(), store_status::ok);
  const auto w = read_sync<event_window>(
      store, [](store_reader& r) { return r.events_after_seq("u", 0, 100); });
  ASSERT_EQ(w.events.size(), 2u);  // seqs 1 and 2: the failed job's seq was rolled back
  EXPECT_EQ(w.events[0].seq, 1);
  EXPECT_EQ(w.events[1].seq, 2);
  EXPECT_TRUE(store.ready());
}

TEST_F(SqliteStoreTest, RetentionKeepsTheNewestEventsPerUser) {
  auto o = options();
  o.retention_count = 3;
  sqlite_store store(o);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(write_sync(store, put_with_event("u", "r", i)), store_status::ok);
  const auto w = read_sync<event_window>(
      store, [](store_reader& r) { return r.events_after_seq("u", 0, 100); });
  EXPECT_EQ(w.first_seq, 8);
  EXPECT_EQ(w.last_seq, 10);
  EXPECT_EQ(w.events.size(), 3u);
}

TEST_F(SqliteStoreTest, QueriesByTimeReturnLaterEventsInSeqOrder) {
  sqlite_store store(options());
  for (int i = 1; i <= 4; ++i)
    ASSERT_EQ(write_sync(store, put_with_event("u", "r", i * 1000)), store_status::ok);
  const auto w = read_sync<event_window>(
      store, [](store_reader& r) { return r.events_after_time("u", 2000, 100); });
  ASSERT_EQ(w.events.size(), 2u);
  EXPECT_EQ(w.events[0].seq, 3);
}

// Regression guard for the WAL write coalescing of SYNC_MODE=full: whatever a commit wrote must
// be readable by the other connection as soon as the commit is acknowledged.
TEST_F(SqliteStoreTest, EveryAcknowledgedCommitIsVisibleToTheReaderAtOnce) {
  sqlite_store store(options());  // full sync: the coalescing writer
  std::atomic<int> acknowledged{0};
  std::atomic<int> mismatches{0};
  std::vector<std::promise<void>> done(400);
  for (int i = 0; i < 400; ++i) {
    store.write({}, put_with_event("u", "r" + std::to_string(i), i), [&, i](store_status st) {
      EXPECT_EQ(st, store_status::ok);
      const int committed = ++acknowledged;
      // Read on the reader thread: it must see at least what was acknowledged.
      store.read([&, committed, i](store_reader& r, store_status) {
        const auto w = r.events_after_seq("u", 0, 1000);
        if (static_cast<int>(w.events.size()) < committed || w.last_seq < committed) ++mismatches;
        done[static_cast<std::size_t>(i)].set_value();
      });
    });
  }
  for (auto& d : done) d.get_future().wait();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(acknowledged.load(), 400);
}

// SYNC_MODE=full coalesces a commit's WAL frames into few writes; a commit far larger than
// one kernel write (SQLite's unix VFS writes < 128 KiB per call) must still land whole.
TEST_F(SqliteStoreTest, ACommitLargerThanOneWriteCallIsStoredWhole) {
  auto o = options();
  o.full_sync = true;
  sqlite_store store(o);
  ASSERT_EQ(store.error(), "");
  const std::string big(6000, 'x');
  const auto status = write_sync(store, [&](store_transaction& t) {
    for (int i = 0; i < 200; ++i) {  // ~1.2 MB of records in one transaction
      const std::string id = "big-" + std::to_string(i);
      t.put("draft-orders", {id, "u", i, i, "{\"pad\":\"" + big + "\"}"});
    }
  });
  ASSERT_EQ(status, store_status::ok);
  const auto count = read_sync<std::size_t>(
      store, [](store_reader& r) { return r.list("draft-orders", "u", std::nullopt).size(); });
  EXPECT_EQ(count, 200u);
}

// Under continuous writes the WAL is restarted, not grown without bound.
TEST_F(SqliteStoreTest, TheWalStaysBoundedUnderContinuousWrites) {
  auto o = options();
  o.full_sync = false;
  o.wal_restart_frames = 256;  // 1 MiB
  sqlite_store store(o);
  ASSERT_EQ(store.error(), "");
  std::atomic<int> failures = 0;
  std::vector<std::thread> writers;
  const std::string pad(3000, 'p');
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < 1500; ++i) {
        const std::string id = "w" + std::to_string(w) + "-" + std::to_string(i);
        const auto st = write_sync(store, [&](store_transaction& t) {
          t.put("draft-orders", {id, "u" + std::to_string(w), i, i, "{\"p\":\"" + pad + "\"}"});
        });
        if (st != store_status::ok) ++failures;
      }
    });
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures, 0);
  // 6,000 commits of ≥ 1 page each: ~24 MB of WAL frames if it were never restarted.
  const auto wal = std::filesystem::file_size(o.path + "-wal");
  EXPECT_LT(wal, 8u << 20) << "WAL bytes";
}

TEST_F(SqliteStoreTest, ReportsWhyItCannotOpen) {
  auto o = options();
  std::filesystem::create_directories(dir);
  o.path = dir.string();  // a directory, not a database file
  sqlite_store store(o);
  EXPECT_NE(store.error(), "");
  EXPECT_FALSE(store.ready());
  EXPECT_EQ(write_sync(store, put_with_event("u", "a", 1)), store_status::busy);
}

}  // namespace
}  // namespace archibald
