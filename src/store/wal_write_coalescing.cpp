#include "store/wal_write_coalescing.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "store/vfs_shim.hpp"

namespace archibald {
namespace {

constexpr std::size_t max_buffered = 4u << 20;  // flush early past 4 MiB
// The unix VFS writes at most 128 KiB - 1 per call (it masks the length with 0x1ffff, so a
// longer write would report SQLITE_FULL): hand it the buffer in chunks below that.
constexpr std::size_t max_write = 64u << 10;

struct coalescing_file {
  shim_file shim;  // must be first: base_io, then the underlying file
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
    rc =
        f->shim.real->pMethods->xWrite(f->shim.real, f->pending->data() + done, static_cast<int>(n),
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
  const int rc = f->shim.real->pMethods ? f->shim.real->pMethods->xClose(f->shim.real) : SQLITE_OK;
  delete f->pending;
  f->pending = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}

int shim_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  coalescing_file* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->shim.real->pMethods->xRead(f->shim.real, out, amount, offset);
}

int shim_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  coalescing_file* f = self(file);
  if (!f->is_wal) return f->shim.real->pMethods->xWrite(f->shim.real, data, amount, offset);
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
  return f->shim.real->pMethods->xTruncate(f->shim.real, size);
}

int shim_sync(sqlite3_file* file, int flags) {
  coalescing_file* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->shim.real->pMethods->xSync(f->shim.real, flags);
}

int shim_file_size(sqlite3_file* file, sqlite3_int64* size) {
  coalescing_file* f = self(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->shim.real->pMethods->xFileSize(f->shim.real, size);
}

int shim_file_control(sqlite3_file* f, int op, void* arg) {
  if (const int rc = flush(self(f)); rc != SQLITE_OK) return rc;
  return self(f)->shim.real->pMethods->xFileControl(self(f)->shim.real, op, arg);
}
int shim_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  if (const int rc = flush(self(f)); rc != SQLITE_OK) return rc;
  return self(f)->shim.real->pMethods->xFetch(self(f)->shim.real, offset, amount, out);
}

int shim_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  coalescing_file* f = self(file);
  f->shim.real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  f->pending = nullptr;
  f->pending_offset = 0;
  const int rc = real_vfs->xOpen(real_vfs, name, f->shim.real, flags, out_flags);
  if (rc != SQLITE_OK || !f->shim.real->pMethods) {
    f->shim.base_io.pMethods = nullptr;
    return rc;
  }
  f->pending = new (std::nothrow) std::vector<char>();
  if (!f->pending) {
    f->shim.real->pMethods->xClose(f->shim.real);
    f->shim.base_io.pMethods = nullptr;
    return SQLITE_NOMEM;
  }
  f->shim.base_io.pMethods = &shim_io;
  return SQLITE_OK;
}

}  // namespace

const char* register_wal_coalescing_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    // Everything that could see the file's end (reads, size, truncation, syncs, mapping,
    // closing) flushes first; the rest passes straight through.
    shim_io = passthrough_io_methods();
    shim_io.xClose = shim_close;
    shim_io.xRead = shim_read;
    shim_io.xWrite = shim_write;
    shim_io.xTruncate = shim_truncate;
    shim_io.xSync = shim_sync;
    shim_io.xFileSize = shim_file_size;
    shim_io.xFileControl = shim_file_control;
    shim_io.xFetch = shim_fetch;
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
