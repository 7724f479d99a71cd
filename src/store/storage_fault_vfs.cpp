#include "store/storage_fault_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <list>
#include <mutex>

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

struct fault_file {
  sqlite3_file base_io;  // must be first
  sqlite3_file* real;    // the base VFS's file, allocated right after this struct
};

fault_file* self(sqlite3_file* file) {
  return reinterpret_cast<fault_file*>(file);
}
sqlite3_file* real(sqlite3_file* file) {
  return self(file)->real;
}

int shim_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  if (switches.on(fault_switches::write_full)) return SQLITE_FULL;
  return real(f)->pMethods->xWrite(real(f), data, amount, offset);
}
int shim_sync(sqlite3_file* f, int flags) {
  if (switches.on(fault_switches::fsync_eio)) return SQLITE_IOERR_FSYNC;
  return real(f)->pMethods->xSync(real(f), flags);
}

// The rest pass straight through.
int shim_close(sqlite3_file* f) {
  return real(f)->pMethods->xClose(real(f));
}
int shim_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), out, amount, offset);
}
int shim_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return real(f)->pMethods->xTruncate(real(f), size);
}
int shim_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int shim_lock(sqlite3_file* f, int l) {
  return real(f)->pMethods->xLock(real(f), l);
}
int shim_unlock(sqlite3_file* f, int l) {
  return real(f)->pMethods->xUnlock(real(f), l);
}
int shim_check_reserved(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int shim_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int shim_sector_size(sqlite3_file* f) {
  return real(f)->pMethods->xSectorSize(real(f));
}
int shim_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int shim_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) {
  real(f)->pMethods->xShmBarrier(real(f));
}
int shim_shm_unmap(sqlite3_file* f, int remove) {
  return real(f)->pMethods->xShmUnmap(real(f), remove);
}
int shim_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int shim_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), offset, p);
}

const sqlite3_io_methods shim_io{3,
                                 shim_close,
                                 shim_read,
                                 shim_write,
                                 shim_truncate,
                                 shim_sync,
                                 shim_file_size,
                                 shim_lock,
                                 shim_unlock,
                                 shim_check_reserved,
                                 shim_file_control,
                                 shim_sector_size,
                                 shim_device_characteristics,
                                 shim_shm_map,
                                 shim_shm_lock,
                                 shim_shm_barrier,
                                 shim_shm_unmap,
                                 shim_fetch,
                                 shim_unfetch};

int shim_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
              int* out_flags) {
  sqlite3_vfs* base = reinterpret_cast<fault_vfs*>(vfs)->base;
  fault_file* f = self(file);
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
  shim.vfs.szOsFile = static_cast<int>(sizeof(fault_file)) + base->szOsFile;
  shim.vfs.zName = shim.name.c_str();
  shim.vfs.pNext = nullptr;
  shim.vfs.xOpen = shim_open;
  sqlite3_vfs_register(&shim.vfs, 0);
  return shim.name.c_str();
}

}  // namespace archibald
