#include "store/storage_fault_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <list>
#include <mutex>

#include "store/vfs_shim.hpp"

namespace archibald {
namespace {

// The faults in force, refreshed from the control file by whichever thread asks first after
// the refresh interval.
class fault_switches {
 public:
  void watch(const std::string& file) {
    std::lock_guard lock(mutex_);
    file_ = file;
  }
  bool on(int fault) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    if (now - refreshed_.load(std::memory_order_relaxed) > refresh_ns) refresh(now);
    return (bits_.load(std::memory_order_relaxed) & fault) != 0;
  }
  static constexpr int write_full = 1, fsync_eio = 2, open_readonly = 4;

 private:
  static constexpr std::int64_t refresh_ns = 20'000'000;
  void refresh(std::int64_t now) {
    std::lock_guard lock(mutex_);
    std::ifstream in(file_);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    int bits = 0;
    if (text.find("write-full") != std::string::npos) bits |= write_full;
    if (text.find("fsync-eio") != std::string::npos) bits |= fsync_eio;
    if (text.find("open-readonly") != std::string::npos) bits |= open_readonly;
    bits_.store(bits, std::memory_order_relaxed);
    refreshed_.store(now, std::memory_order_relaxed);
  }
  std::mutex mutex_;
  std::string file_;  // GUARDED_BY(mutex_)
  std::atomic<int> bits_{0};
  std::atomic<std::int64_t> refreshed_{0};
};

fault_switches switches;

// One shim per wrapped VFS; the file methods are shared.
struct fault_vfs {
  sqlite3_vfs vfs;  // must be first: SQLite sees this struct as the sqlite3_vfs
  sqlite3_vfs* base;
  std::string name;
};

sqlite3_file* real(sqlite3_file* file) {
  return reinterpret_cast<shim_file*>(file)->real;
}

int shim_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  if (switches.on(fault_switches::write_full)) return SQLITE_FULL;
  return real(f)->pMethods->xWrite(real(f), data, amount, offset);
}
int shim_sync(sqlite3_file* f, int flags) {
  if (switches.on(fault_switches::fsync_eio)) return SQLITE_IOERR_FSYNC;
  return real(f)->pMethods->xSync(real(f), flags);
}

const sqlite3_io_methods shim_io = [] {
  sqlite3_io_methods io = passthrough_io_methods();
  io.xWrite = shim_write;
  io.xSync = shim_sync;
  return io;
}();

int shim_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
              int* out_flags) {
  sqlite3_vfs* base = reinterpret_cast<fault_vfs*>(vfs)->base;
  shim_file* f = reinterpret_cast<shim_file*>(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  if ((flags & SQLITE_OPEN_READWRITE) && switches.on(fault_switches::open_readonly)) {
    // What the unix VFS does when a file cannot be opened for writing: read-only instead.
    flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
  }
  const int rc = base->xOpen(base, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK || !f->real->pMethods) {
    f->base_io.pMethods = nullptr;
    return rc;
  }
  f->base_io.pMethods = &shim_io;
  return SQLITE_OK;
}

}  // namespace

const char* register_storage_fault_vfs(const char* base_name, const std::string& control_file) {
  static std::list<fault_vfs> shims;  // registered VFSes must outlive every connection
  switches.watch(control_file);
  sqlite3_vfs* base = sqlite3_vfs_find(base_name);
  for (auto& shim : shims)
    if (shim.base == base) return shim.name.c_str();
  fault_vfs& shim = shims.emplace_back();
  shim.base = base;
  shim.name = std::string("archibald-faults-") + base->zName;
  shim.vfs = *base;
  shim.vfs.szOsFile = static_cast<int>(sizeof(shim_file)) + base->szOsFile;
  shim.vfs.zName = shim.name.c_str();
  shim.vfs.pNext = nullptr;
  shim.vfs.xOpen = shim_open;
  sqlite3_vfs_register(&shim.vfs, 0);
  return shim.name.c_str();
}

}  // namespace archibald
