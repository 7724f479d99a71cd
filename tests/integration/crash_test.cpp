// Crash safety (DESIGN §3): a server SIGKILLed in the middle of a write burst loses no
// acknowledged write, and every stored record has exactly one event and vice versa.
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

TEST(Crash, SigkillMidBurstLosesNoAcknowledgedWriteAndNoEvent) {
  char dir_template[] = "/tmp/archibald-crash-XXXXXX";
  const std::string dir = ::mkdtemp(dir_template);
  const std::string db = dir + "/realtime.db";
  std::set<std::string> acknowledged;
  std::mutex mutex;
  {
    server_process server({{"DB_PATH", db}, {"SYNC_MODE", "full"}});
    std::atomic<int> next{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&] {
        for (;;) {
          const int batch = next.fetch_add(1);
          if (batch >= 1500) return;
          std::string drafts;
          std::vector<std::string> ids;
          for (int i = 0; i < 3; ++i) {
            ids.push_back("b" + std::to_string(batch) + "-" + std::to_string(i));
            drafts += (i ? "," : "") + draft_json(ids.back(), 1);
          }
          const auto r = post_drafts(server, "u", drafts);
          if (r.status != 200) return;  // the server is gone
          const auto body = boost::json::parse(r.body);
          std::lock_guard lock(mutex);
          for (const auto& result : body.at("results").as_array())
            if (result.at("action") == "created") acknowledged.emplace(result.at("id").as_string());
        }
      });
    }
    std::this_thread::sleep_for(400ms);
    ::kill(server.pid(), SIGKILL);
    for (auto& t : writers) t.join();
    EXPECT_EQ(server.stop(SIGKILL, 5s), -1);  // died by the signal
  }
  ASSERT_GT(acknowledged.size(), 30u) << "the burst was too short to mean anything";

  server_process restarted({{"DB_PATH", db}});
  const auto list =
      http_request(restarted.host(), restarted.port(), "GET", "/api/sync/draft-orders", {},
                   {{"Authorization", server_process::bearer("u")}});
  std::set<std::string> stored;
  const auto drafts = boost::json::parse(list.body);
  for (const auto& d : drafts.at("drafts").as_array()) stored.emplace(d.at("id").as_string());
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.count(id)) << "lost " << id;

  // Every event, replayed from the start: gap-free seqs, one per stored record.
  auto device = open_device(restarted, "u", "&lastSeq=0");
  std::set<std::string> evented;
  std::int64_t last = 0;
  for (;;) {
    const auto ev = device->read(1s);
    if (ev.what == ws_event::kind::timeout) break;
    ASSERT_EQ(ev.what, ws_event::kind::message);
    const auto e = boost::json::parse(ev.text).as_object();
    ASSERT_EQ(e.at("seq").to_number<std::int64_t>(), last + 1);
    last = e.at("seq").to_number<std::int64_t>();
    ASSERT_EQ(e.at("type"), "DRAFT_CREATED");
    EXPECT_TRUE(evented.emplace(e.at("payload").at("draftId").as_string()).second);
  }
  EXPECT_EQ(evented, stored);
  EXPECT_EQ(static_cast<std::size_t>(last), stored.size());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace archibald::testing
