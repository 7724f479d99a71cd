// pg_store against a real PostgreSQL the test starts itself (never a mock): schema
// migrations, round trips, gap-free seq when two nodes write one user at once, and writes
// refused — never acknowledged — while the database is down.
#include "postgres/pg_store.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include "postgres/pg_connection.hpp"
#include "postgres/pg_schema.hpp"
#include "support/pg_server.hpp"

namespace archibald::testing {
namespace {

using namespace std::chrono_literals;

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg.ok()) << pg.error();
    url = pg.create_database();
    ASSERT_FALSE(url.empty());
  }
  pg_store_options options() const {
    pg_store_options o;
    o.url = url;
    return o;
  }

  // A write job and the keys it declares (none: everything it touches is read when touched).
  struct keyed_job {
    write_keys keys;
    sync_store::write_job job;
  };
  static store_status write_sync(sync_store& s, keyed_job w) {
    std::promise<store_status> p;
    s.write(std::move(w.keys), std::move(w.job), [&p](store_status st) { p.set_value(st); });
    return p.get_future().get();
  }
  static event_window events_after(sync_store& s, const std::string& user, std::int64_t after) {
    std::promise<event_window> p;
    s.read([&](store_reader& r, store_status) {
      p.set_value(r.events_after_seq(user, after, 10000));
    });
    return p.get_future().get();
  }
  // One record write plus its event, as the sync layer does: read, decide, write, log.
  static keyed_job put_with_event(std::string user, std::string id, std::int64_t at,
                                  std::int64_t* seq_out = nullptr) {
    return {{user, "draft-orders", {id}}, [=](store_transaction& t) {
              const auto existing = t.find("draft-orders", id);
              std::string data = "{\"id\":\"";
              data.append(id).append("\"}");
              if (!existing || existing->updated_at <= at)  // last writer wins
                t.put("draft-orders", {id, user, existing ? existing->created_at : at, at, data});
              const auto seq = t.next_seq(user);
              t.append_event(user, {seq, at, std::string("frame-").append(std::to_string(seq))});
              if (seq_out) *seq_out = seq;
            }};
  }

  pg_server pg;
  std::string url;
};

TEST_F(PgStoreTest, MigratesAnEmptyDatabaseOnceForSeveralNodesAndRoundTrips) {
  pg_store a(options()), b(options());  // two nodes starting on one database
  ASSERT_EQ(a.error(), "");
  ASSERT_EQ(b.error(), "");
  EXPECT_TRUE(a.ready());
  pg_connection db(url);
  EXPECT_EQ(db.exec("SELECT COUNT(*) FROM schema_migrations").int64(0, 0), pg_schema_latest())
      << "each migration once";

  ASSERT_EQ(write_sync(a, put_with_event("u", "r1", 100)), store_status::ok);
  ASSERT_EQ(write_sync(b, put_with_event("u", "r2", 200)), store_status::ok);
  std::promise<std::vector<std::string>> listed;
  a.read(
      [&](store_reader& r, store_status) { listed.set_value(r.list("draft-orders", "u", 150)); });
  EXPECT_EQ(listed.get_future().get(), std::vector<std::string>{"{\"id\":\"r2\"}"});
  const auto w = events_after(b, "u", 0);  // written on a, read on b
  ASSERT_EQ(w.events.size(), 2u);
  EXPECT_EQ(w.events[0].seq, 1);
  EXPECT_EQ(w.events[1].frame, "frame-2");
  EXPECT_EQ(w.first_seq, 1);
  EXPECT_EQ(w.last_seq, 2);
}

TEST_F(PgStoreTest, EveryCommittedEventSendsItsHintToListeningNodesAtTheCommit) {
  pg_store store(options());
  ASSERT_EQ(store.error(), "");
  pg_connection listener(url);
  ASSERT_TRUE(listener.exec("LISTEN archibald_events").ok());
  ASSERT_EQ(write_sync(store, put_with_event("u", "r1", 100)), store_status::ok);
  ASSERT_EQ(write_sync(store, put_with_event("v", "r2", 100)), store_status::ok);
  // A job rolled back (it fails after its event) sends nothing, and its seq is not used.
  EXPECT_EQ(write_sync(store, {{},
                               [](store_transaction& t) {
                                 t.append_event("u", {t.next_seq("u"), 1, "lost"});
                                 throw std::runtime_error("the job fails");
                               }}),
            store_status::unavailable);
  ASSERT_EQ(write_sync(store, put_with_event("u", "r4", 100)), store_status::ok);
  std::vector<std::string> hints;
  while (auto n = listener.notification(2s)) {
    EXPECT_EQ(n->channel, "archibald_events");
    EXPECT_EQ(n->sender_pid, store.writer_pid()) << "sent by the store's writer session";
    hints.push_back(n->payload);
  }
  EXPECT_EQ(hints, (std::vector<std::string>{"u:1", "v:1", "u:2"}));  // in commit order
}

TEST_F(PgStoreTest, AJobThatFailsLeavesTheOthersOfItsBatchCommitted) {
  pg_store store(options());
  ASSERT_EQ(store.error(), "");
  constexpr int jobs = 60;
  std::vector<std::future<store_status>> done;
  for (int i = 0; i < jobs; ++i) {  // queued at once: they share batches
    auto p = std::make_shared<std::promise<store_status>>();
    done.push_back(p->get_future());
    auto w = i % 20 == 7 ? keyed_job{{},
                                     [](store_transaction& t) {
                                       t.append_event("u", {t.next_seq("u"), 1, "lost"});
                                       throw std::runtime_error("this job fails");
                                     }}
                         : put_with_event("u", "r" + std::to_string(i), 100 + i);
    store.write(std::move(w.keys), std::move(w.job), [p](store_status s) { p->set_value(s); });
  }
  int ok = 0;
  for (int i = 0; i < jobs; ++i) {
    const auto status = done[static_cast<std::size_t>(i)].get();
    EXPECT_EQ(status, i % 20 == 7 ? store_status::unavailable : store_status::ok) << i;
    ok += status == store_status::ok;
  }
  const auto w = events_after(store, "u", 0);  // the others' events, seq 1..57 without a gap
  ASSERT_EQ(w.events.size(), static_cast<std::size_t>(ok));
  for (std::size_t i = 0; i < w.events.size(); ++i) {
    EXPECT_EQ(w.events[i].seq, static_cast<std::int64_t>(i) + 1);
    EXPECT_NE(w.events[i].frame, "lost");
  }
}

TEST_F(PgStoreTest, RefusesADatabaseWithANewerSchema) {
  { pg_store first(options()); }
  pg_connection db(url);
  ASSERT_TRUE(db.exec("INSERT INTO schema_migrations (version) VALUES (99)").ok());
  pg_store store(options());
  EXPECT_NE(store.error().find("newer than this server knows"), std::string::npos) << store.error();
}

TEST_F(PgStoreTest, TwoNodesWritingOneUserAtOnceGiveGapFreeSeqsInCommitOrder) {
  pg_store a(options()), b(options());
  ASSERT_EQ(a.error(), "");
  ASSERT_EQ(b.error(), "");
  constexpr int per_node = 150;
  std::mutex m;
  std::set<std::int64_t> seqs;
  const auto hammer = [&](pg_store& node, const std::string& prefix) {
    std::vector<std::future<store_status>> done;
    std::vector<std::int64_t> got(per_node);
    for (int i = 0; i < per_node; ++i) {
      auto p = std::make_shared<std::promise<store_status>>();
      done.push_back(p->get_future());
      // Both nodes also update one shared record: the row locks serialise them.
      auto w = put_with_event("u", i % 10 == 0 ? "shared" : prefix + std::to_string(i), 1000 + i,
                              &got[static_cast<std::size_t>(i)]);
      node.write(std::move(w.keys), std::move(w.job), [p](store_status s) { p->set_value(s); });
    }
    for (auto& f : done) EXPECT_EQ(f.get(), store_status::ok);
    std::lock_guard lock(m);
    for (const auto s : got) EXPECT_TRUE(seqs.insert(s).second) << "seq " << s << " twice";
  };
  std::thread ta([&] { hammer(a, "a"); });
  std::thread tb([&] { hammer(b, "b"); });
  ta.join();
  tb.join();
  ASSERT_EQ(seqs.size(), 2u * per_node);
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), 2 * per_node);  // no gaps: every seq from 1 to 300 given once
  const auto w = events_after(a, "u", 0);
  ASSERT_EQ(w.events.size(), 2u * per_node);
  for (std::size_t i = 0; i < w.events.size(); ++i)
    EXPECT_EQ(w.events[i].seq, static_cast<std::int64_t>(i) + 1);
}

TEST_F(PgStoreTest, WhileTheDatabaseIsDownWritesAreRefusedAndAfterwardsAccepted) {
  pg_store store(options());
  ASSERT_EQ(store.error(), "");
  ASSERT_EQ(write_sync(store, put_with_event("u", "before", 100)), store_status::ok);
  ASSERT_TRUE(pg.crash());
  EXPECT_EQ(write_sync(store, put_with_event("u", "during", 200)), store_status::unavailable);
  EXPECT_FALSE(store.ready());
  ASSERT_TRUE(pg.start());
  store_status status = store_status::unavailable;
  for (int i = 0; i < 100 && status != store_status::ok; ++i) {
    status = write_sync(store, put_with_event("u", "after", 300));
    if (status != store_status::ok) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, store_status::ok);
  EXPECT_TRUE(store.ready());
  // Nothing of the refused write was stored; the seqs stay gap-free.
  const auto w = events_after(store, "u", 0);
  ASSERT_EQ(w.events.size(), 2u);
  EXPECT_EQ(w.events[1].seq, 2);
}

TEST_F(PgStoreTest, AJobThatDeclaresNothingReadsWhatItTouchesAndSeesItsBatchsWrites) {
  pg_store store(options());
  ASSERT_EQ(store.error(), "");
  ASSERT_EQ(write_sync(store, put_with_event("u", "kept", 100)), store_status::ok);
  ASSERT_EQ(write_sync(store, put_with_event("u", "gone", 100)), store_status::ok);
  std::optional<stored_record> seen_kept, seen_after_put, seen_after_erase;
  std::int64_t seq = 0;
  ASSERT_EQ(write_sync(store, {{},
                               [&](store_transaction& t) {
                                 seen_kept = t.find("draft-orders", "kept");
                                 t.put("draft-orders", {"new", "u", 5, 5, "{}"});
                                 seen_after_put = t.find("draft-orders", "new");
                                 t.erase("draft-orders", "gone");
                                 seen_after_erase = t.find("draft-orders", "gone");
                                 seq = t.next_seq("u");
                                 t.append_event("u", {seq, 5, "undeclared"});
                               }}),
            store_status::ok);
  ASSERT_TRUE(seen_kept);
  EXPECT_EQ(seen_kept->user_id, "u");
  EXPECT_EQ(seen_kept->updated_at, 100);
  ASSERT_TRUE(seen_after_put);
  EXPECT_EQ(seen_after_put->created_at, 5);
  EXPECT_FALSE(seen_after_erase);
  EXPECT_EQ(seq, 3);
  std::promise<std::vector<std::string>> listed;
  store.read(
      [&](store_reader& r, store_status) { listed.set_value(r.list("draft-orders", "u", {})); });
  EXPECT_EQ(listed.get_future().get(), (std::vector<std::string>{"{\"id\":\"kept\"}", "{}"}));
  EXPECT_EQ(events_after(store, "u", 2).events.at(0).frame, "undeclared");
}

TEST_F(PgStoreTest, ABatchOfManyEventsForOneUserKeepsOnlyTheRetainedOnesAndOneHint) {
  auto o = options();
  o.retention_count = 5;
  pg_store store(o);
  ASSERT_EQ(store.error(), "");
  pg_connection listener(url);
  ASSERT_TRUE(listener.exec("LISTEN archibald_events").ok());
  constexpr int jobs = 40;
  std::vector<std::future<store_status>> done;
  for (int i = 0; i < jobs; ++i) {  // queued at once: they share batches
    auto p = std::make_shared<std::promise<store_status>>();
    done.push_back(p->get_future());
    auto w = put_with_event("u", "r" + std::to_string(i % 7), 100 + i);
    store.write(std::move(w.keys), std::move(w.job), [p](store_status s) { p->set_value(s); });
  }
  for (auto& f : done) ASSERT_EQ(f.get(), store_status::ok);
  const auto w = events_after(store, "u", 0);
  EXPECT_EQ(w.last_seq, jobs);
  EXPECT_EQ(w.first_seq, jobs - 4);
  ASSERT_EQ(w.events.size(), 5u);
  EXPECT_EQ(w.events.back().frame, "frame-40");
  // One hint a user a batch, carrying the first seq the batch gave: fewer hints than events,
  // rising from 1.
  std::vector<std::int64_t> hinted;
  while (auto n = listener.notification(1s)) {
    ASSERT_EQ(n->payload.substr(0, 2), "u:");
    hinted.push_back(std::stoll(n->payload.substr(2)));
  }
  ASSERT_FALSE(hinted.empty());
  EXPECT_LT(hinted.size(), static_cast<std::size_t>(jobs));
  EXPECT_EQ(hinted.front(), 1);
  EXPECT_TRUE(std::is_sorted(hinted.begin(), hinted.end()));
  EXPECT_EQ(std::adjacent_find(hinted.begin(), hinted.end()), hinted.end()) << "one a batch";
  std::promise<std::vector<std::int64_t>> seqs;
  store.read([&](store_reader& r, store_status) { seqs.set_value(r.last_seqs({"nobody", "u"})); });
  EXPECT_EQ(seqs.get_future().get(), (std::vector<std::int64_t>{0, jobs}));
}

TEST_F(PgStoreTest, SeveralUsersEventsAreReadInOneQueryEachAfterItsOwnSeq) {
  auto o = options();
  o.retention_count = 3;
  pg_store store(o);
  ASSERT_EQ(store.error(), "");
  for (int i = 1; i <= 5; ++i)
    ASSERT_EQ(write_sync(store, put_with_event("u", "u" + std::to_string(i), i)), store_status::ok);
  ASSERT_EQ(write_sync(store, put_with_event("v", "v1", 1)), store_status::ok);
  std::promise<std::vector<event_window>> read;
  store.read([&](store_reader& r, store_status) {
    read.set_value(r.events_after_seqs({{"v", 0}, {"nobody", 0}, {"u", 3}, {"u", 0}}, 1));
  });
  const auto w = read.get_future().get();
  ASSERT_EQ(w.size(), 4u);
  ASSERT_EQ(w[0].events.size(), 1u);
  EXPECT_EQ(w[0].events[0].frame, "frame-1");
  EXPECT_EQ(w[0].last_seq, 1);
  EXPECT_TRUE(w[1].events.empty());
  EXPECT_EQ(w[1].last_seq, 0);
  EXPECT_EQ(w[1].first_seq, 0);
  ASSERT_EQ(w[2].events.size(), 1u) << "the limit holds for each user";
  EXPECT_EQ(w[2].events[0].seq, 4);
  EXPECT_EQ(w[2].first_seq, 3) << "retention kept 3..5";
  EXPECT_EQ(w[2].last_seq, 5);
  ASSERT_EQ(w[3].events.size(), 1u);
  EXPECT_EQ(w[3].events[0].seq, 3) << "the oldest retained";
}

// A record absent when the batch locked its keys can be created by another node before the
// batch stores it: the upsert does not overwrite another owner's row, the batch runs again and
// its job now decides on the committed row.
TEST_F(PgStoreTest, ARecordAnotherNodeCreatedMeanwhileIsNotOverwrittenAndTheJobDecidesAgain) {
  pg_store store(options());
  ASSERT_EQ(store.error(), "");
  pg_connection other_node(url);
  std::vector<std::optional<std::string>> owners_seen;  // what find() saw, run by run
  const auto status = write_sync(
      store, {{"u", "draft-orders", {"x"}}, [&](store_transaction& t) {
                const auto existing = t.find("draft-orders", "x");
                owners_seen.push_back(existing ? std::optional(existing->user_id) : std::nullopt);
                if (owners_seen.size() == 1)  // between this batch's lock and its flush
                  ASSERT_TRUE(other_node
                                  .exec("INSERT INTO records VALUES ('draft-orders', 'x', 'other',"
                                        " 1, 500, '{\"by\":\"other\"}')")
                                  .ok());
                if (existing && existing->user_id != "u") return;  // another's: refused
                t.put("draft-orders", {"x", "u", 1, 100, "{\"by\":\"u\"}"});
                t.append_event("u", {t.next_seq("u"), 1, "created"});
              }});
  EXPECT_EQ(status, store_status::ok);
  ASSERT_EQ(owners_seen.size(), 2u) << "the batch ran again";
  EXPECT_FALSE(owners_seen[0]);
  EXPECT_EQ(owners_seen[1], "other");
  EXPECT_EQ(other_node.exec("SELECT data FROM records WHERE id = 'x'").text(0, 0),
            "{\"by\":\"other\"}");
  EXPECT_TRUE(events_after(store, "u", 0).events.empty()) << "the first run's event rolled back";
}

TEST(PgServer, AKilledTestProcessLeavesNoServerBehind) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {  // starts a server, reports its folder and port, dies without cleaning up
    pg_server pg;
    const std::string report = pg.ok() ? pg.dir() + " " + std::to_string(pg.port()) : "";
    (void)!::write(fds[1], report.data(), report.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  char buffer[256] = {};
  const ssize_t n = ::read(fds[0], buffer, sizeof buffer - 1);
  ::close(fds[0]);
  ::waitpid(child, nullptr, 0);
  ASSERT_GT(n, 0) << "the child's server did not start";
  std::string dir;
  int port = 0;
  std::istringstream(buffer) >> dir >> port;
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !std::filesystem::exists(dir);
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(gone) << dir;
  pg_connection db("postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/postgres");
  EXPECT_FALSE(db.ok()) << "its server still answers";
}

}  // namespace
}  // namespace archibald::testing
