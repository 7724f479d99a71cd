#include "store/wal_write_coalescing.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace archibald {
namespace {

constexpr std::size_t max_buffered = 4u << 20;  // flush early past 4 MiB
// The unix VFS writes at most 128 KiB - 1 per call (it masks the length with 0x1ffff, so a
// longer write would report SQLITE_FULL): hand it the buffer in chunks below that.
constexpr std::size_t max_write = 64u << 10;

struct coalescing_file {
  sqlite3_file base_io;  // must be first: SQLite sees this struct as a sqlite3_file
  sqlite3_file* real;    // the underlying file, allocated right after this struct
  bool is_wal;
  std::vector<char>* pending;
  sqlite3_int64 pending_offset;
};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs shim_vfs;
sqlite3_io_methods shim_io;

int flush(coalescing_file* f) {
  if (!f->pending || f->pending->empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  const std::size_t size = f->pending->size();
  for (std::size_t done = 0; done < size && rc == SQLITE_OK; done += max_write) {
    const std::size_t n = std::min(max_write, size - done);
    rc = f->real->pMethods->xWrite(f->real, f->pending->data() + done, static_cast<int>(n),
                                   f->pending_offset + static_cast<sqlite3_int64>(done));
  }
  f->pending->clear();
  return rc;
}

coalescing_file* self(sqlite3_file* file) {
  return reinterpret_cast<coalescing_file*>(file);
}

int shim_close(sqlite3_file* file) {
  coalescing_file* f = self(file);
  const int flushed = flush(f);
  const int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  delete f->pending;
  f->pending = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}

int shim_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  coalescing_file* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int shim_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  coalescing_file* f = self(file);
  if (!f->is_wal) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  std::vector<char>& p = *f->pending;
  const bool contiguous =
      !p.empty() && offset == f->pending_offset + static_cast<sqlite3_int64>(p.size());
  if (!p.empty() && (!contiguous || p.size() + static_cast<std::size_t>(amount) > max_buffered)) {
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  if (p.empty()) f->pending_offset = offset;
  const char* bytes = static_cast<const char*>(data);
  p.insert(p.end(), bytes, bytes + amount);
  return SQLITE_OK;
}

int shim_truncate(sqlite3_file* file, sqlite3_int64 size) {
  coalescing_file* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xTruncate(f->real, size);
}

int shim_sync(sqlite3_file* file, int flags) {
  coalescing_file* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int shim_file_size(sqlite3_file* file, sqlite3_int64* size) {
  coalescing_file* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

// The rest pass straight through.
int shim_lock(sqlite3_file* f, int l) {
  return self(f)->real->pMethods->xLock(self(f)->real, l);
}
int shim_unlock(sqlite3_file* f, int l) {
  return self(f)->real->pMethods->xUnlock(self(f)->real, l);
}
int shim_check_reserved(sqlite3_file* f, int* out) {
  return self(f)->real->pMethods->xCheckReservedLock(self(f)->real, out);
}
int shim_file_control(sqlite3_file* f, int op, void* arg) {
  if (const int rc = flush(self(f)); rc != SQLITE_OK) return rc;
  return self(f)->real->pMethods->xFileControl(self(f)->real, op, arg);
}
int shim_sector_size(sqlite3_file* f) {
  return self(f)->real->pMethods->xSectorSize(self(f)->real);
}
int shim_device_characteristics(sqlite3_file* f) {
  return self(f)->real->pMethods->xDeviceCharacteristics(self(f)->real);
}
int shim_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return self(f)->real->pMethods->xShmMap(self(f)->real, region, size, extend, out);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return self(f)->real->pMethods->xShmLock(self(f)->real, offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) {
  self(f)->real->pMethods->xShmBarrier(self(f)->real);
}
int shim_shm_unmap(sqlite3_file* f, int remove) {
  return self(f)->real->pMethods->xShmUnmap(self(f)->real, remove);
}
int shim_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  if (const int rc = flush(self(f)); rc != SQLITE_OK) return rc;
  return self(f)->real->pMethods->xFetch(self(f)->real, offset, amount, out);
}
int shim_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return self(f)->real->pMethods->xUnfetch(self(f)->real, offset, p);
}

int shim_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  coalescing_file* f = self(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  f->pending = nullptr;
  f->pending_offset = 0;
  const int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK || !f->real->pMethods) {
    f->base_io.pMethods = nullptr;
    return rc;
  }
  f->pending = new (std::nothrow) std::vector<char>();
  if (!f->pending) {
    f->real->pMethods->xClose(f->real);
    f->base_io.pMethods = nullptr;
    return SQLITE_NOMEM;
  }
  f->base_io.pMethods = &shim_io;
  return SQLITE_OK;
}

}  // namespace

const char* register_wal_coalescing_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    shim_io = sqlite3_io_methods{3,
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
    shim_vfs = *real_vfs;
    shim_vfs.szOsFile = static_cast<int>(sizeof(coalescing_file)) + real_vfs->szOsFile;
    shim_vfs.zName = "archibald-wal-coalescing";
    shim_vfs.pNext = nullptr;
    shim_vfs.xOpen = shim_open;
    sqlite3_vfs_register(&shim_vfs, 0);
  });
  return shim_vfs.zName;
}

}  // namespace archibald
