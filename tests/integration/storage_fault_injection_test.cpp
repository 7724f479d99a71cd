// Storage faults injected by the SQLite VFS shim (store/storage_fault_vfs.hpp), without root:
// a write during a fault is answered 503 with nothing of its batch stored or fanned out,
// readiness is off, WebSocket clients stay connected, and the server recovers by itself once
// the fault is lifted, with no acknowledged write lost and no seq gap.
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

class FaultFile {
 public:
  FaultFile() {
    char name[] = "/tmp/archibald-faults-XXXXXX";
    const int fd = ::mkstemp(name);
    ::close(fd);
    path_ = name;
  }
  ~FaultFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }
  void set(const std::string& faults) {
    std::ofstream(path_, std::ios::trunc) << faults;
    std::this_thread::sleep_for(100ms);  // the shim reads the file at most every 20 ms
  }

 private:
  std::string path_;
};

int ready_status(server_process& server) {
  return http_request(server.host(), server.port(), "GET", "/health/ready").status;
}

bool wait_ready(server_process& server) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready_status(server) == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::vector<std::string> draft_ids(server_process& server, const std::string& user) {
  const auto r = http_request(server.host(), server.port(), "GET", "/api/sync/draft-orders", {},
                              {{"Authorization", server_process::bearer(user)}});
  std::vector<std::string> ids;
  if (r.status != 200) return ids;
  const auto body = boost::json::parse(r.body);
  for (const auto& d : body.at("drafts").as_array()) ids.emplace_back(d.at("id").as_string());
  std::sort(ids.begin(), ids.end());
  return ids;
}

// lift: what stays in force after the first fault is lifted (open-readonly is an open fault:
// it bites when the store opens its connection again to recover, as it does after a fault).
void run_fault_scenario(const std::string& fault, const std::string& then = {}) {
  FaultFile faults;
  server_process server({{"STORAGE_FAULTS_FILE", faults.path()}, {"SYNC_MODE", "full"}});
  auto writer = open_device(server, "u");
  auto watcher = open_device(server, "u");
  ASSERT_EQ(results_of(post_drafts(server, "u", draft_json("before", 1)))[0].at("action"),
            "created");
  EXPECT_EQ(next_event(*watcher).at("seq"), 1);
  EXPECT_EQ(next_event(*writer).at("seq"), 1);

  faults.set(fault);
  const auto failed = post_drafts(
      server, "u",
      draft_json("lost-1", 2) + "," + draft_json("lost-2", 2) + "," + draft_json("lost-3", 2));
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(ready_status(server), 503);
  ASSERT_TRUE(
      writer->send_text(R"({"type":"DRAFT_CREATED","requestId":"w1","payload":{"drafts":[)" +
                        draft_json("lost-ws", 3) + "]}}"));
  const auto answer = next_event(*writer);
  EXPECT_EQ(answer.at("type"), "ERROR");
  EXPECT_EQ(answer.at("requestId"), "w1");
  if (!then.empty()) {
    faults.set(then);
    EXPECT_EQ(post_drafts(server, "u", draft_json("lost-4", 4)).status, 503);
    EXPECT_EQ(ready_status(server), 503);
  }

  // Both devices are still connected and served.
  for (auto* device : {writer.get(), watcher.get()}) {
    ASSERT_TRUE(device->send_text("ping"));
    EXPECT_EQ(device->read(5s).text, "pong");
  }

  faults.set("");
  ASSERT_TRUE(wait_ready(server)) << server.log();
  EXPECT_EQ(draft_ids(server, "u"), std::vector<std::string>{"before"});
  ASSERT_EQ(results_of(post_drafts(server, "u", draft_json("after", 5)))[0].at("action"),
            "created");
  const auto next = next_event(*watcher);  // nothing of the failed writes came first
  EXPECT_EQ(next.at("payload").at("draftId"), "after");
  EXPECT_EQ(next.at("seq"), 2) << "a failed write took a seq";
  EXPECT_EQ(draft_ids(server, "u"), (std::vector<std::string>{"after", "before"}));

  writer->close();
  watcher->close();
  EXPECT_EQ(server.stop(SIGTERM, 5s), 0);
}

TEST(StorageFaultInjection, DiskFullDuringAWriteIs503AndRecovers) {
  run_fault_scenario("write-full");
}

// After a failed fsync nothing of the transaction is acknowledged, and the store reopens its
// connection before it writes again (a retried fsync can succeed for pages already lost).
TEST(StorageFaultInjection, FailedFsyncIsNeverAcknowledgedAndRecovers) {
  run_fault_scenario("fsync-eio");
}

// A file system that turns read-only: the store's reopening gets a read-only file and stays
// not ready until it is writable again.
TEST(StorageFaultInjection, ReadOnlyReopenKeepsTheStoreNotReadyUntilWritable) {
  run_fault_scenario("fsync-eio open-readonly", "open-readonly");
}

}  // namespace
}  // namespace archibald::testing
