// Storage faults (DESIGN §3): a full disk answers 503 and turns readiness off, writes nothing
// half-way, and the server recovers by itself when space comes back. The disk is a small
// tmpfs the test mounts (root only; skipped where mounting is not allowed).
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <filesystem>
#include <fstream>

#include "support/realtime_helpers.hpp"

namespace archibald::testing {
namespace {

class SmallDisk {
 public:
  SmallDisk() {
    char dir_template[] = "/tmp/archibald-disk-XXXXXX";
    dir_ = ::mkdtemp(dir_template);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=4m") == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(dir_);
  }
  bool mounted() const { return mounted_; }
  const std::string& dir() const { return dir_; }
  // Leaves about `free_bytes` free by writing a filler file.
  void fill(std::uint64_t free_bytes) {
    struct statvfs s {};
    ::statvfs(dir_.c_str(), &s);
    const std::uint64_t available = s.f_bavail * s.f_frsize;
    std::ofstream filler(dir_ + "/filler", std::ios::binary);
    const std::string block(4096, 'f');
    for (std::uint64_t n = 0; n + free_bytes < available; n += block.size()) filler << block;
  }
  void free_up() { std::filesystem::remove(dir_ + "/filler"); }

 private:
  std::string dir_;
  bool mounted_ = false;
};

TEST(StorageFault, DiskFullIs503NotReadyNothingHalfWrittenAndRecovers) {
  SmallDisk disk;
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  server_process server({{"DB_PATH", disk.dir() + "/realtime.db"}, {"SYNC_MODE", "full"}});
  ASSERT_TRUE(results_of(post_drafts(server, "u", draft_json("before", 1))).size() == 1);
  disk.fill(64 * 1024);

  const std::string big_name(4000, 'n');
  int failed_batch = -1;
  for (int batch = 0; batch < 200 && failed_batch < 0; ++batch) {
    std::string drafts;
    for (int i = 0; i < 20; ++i)
      drafts += (i ? "," : "") +
                draft_json("b" + std::to_string(batch) + "-" + std::to_string(i), 1, big_name);
    const auto r = post_drafts(server, "u", drafts);
    if (r.status == 503) {
      EXPECT_EQ(boost::json::parse(r.body).at("success"), false);
      failed_batch = batch;
    } else {
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  ASSERT_GE(failed_batch, 0) << "the disk never filled up";
  EXPECT_EQ(http_request(server.host(), server.port(), "GET", "/health/ready").status, 503);

  // Nothing of the failed batch is visible; what was acknowledged before still is.
  disk.free_up();
  const auto list = http_request(server.host(), server.port(), "GET", "/api/sync/draft-orders", {},
                                 {{"Authorization", server_process::bearer("u")}});
  ASSERT_EQ(list.status, 200);
  const auto drafts = boost::json::parse(list.body);
  std::size_t of_failed = 0;
  bool before = false;
  for (const auto& d : drafts.at("drafts").as_array()) {
    const std::string id(d.at("id").as_string());
    of_failed += id.rfind("b" + std::to_string(failed_batch) + "-", 0) == 0;
    before |= id == "before";
  }
  EXPECT_EQ(of_failed, 0u);
  EXPECT_TRUE(before);

  // Space is back: readiness returns within a few probe rounds and writes succeed.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (http_request(server.host(), server.port(), "GET", "/health/ready").status != 200 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(http_request(server.host(), server.port(), "GET", "/health/ready").status, 200);
  EXPECT_EQ(results_of(post_drafts(server, "u", draft_json("after", 2)))[0].at("action"),
            "created");
  EXPECT_EQ(server.stop(SIGTERM, 5s), 0);
}

}  // namespace
}  // namespace archibald::testing
