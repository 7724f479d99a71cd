#include "store/vfs_shim.hpp"

namespace archibald {
namespace {

sqlite3_file* real(sqlite3_file* file) {
  return reinterpret_cast<shim_file*>(file)->real;
}

int pass_close(sqlite3_file* f) {
  return real(f)->pMethods->xClose(real(f));
}
int pass_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), out, amount, offset);
}
int pass_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xWrite(real(f), data, amount, offset);
}
int pass_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return real(f)->pMethods->xTruncate(real(f), size);
}
int pass_sync(sqlite3_file* f, int flags) {
  return real(f)->pMethods->xSync(real(f), flags);
}
int pass_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int pass_lock(sqlite3_file* f, int l) {
  return real(f)->pMethods->xLock(real(f), l);
}
int pass_unlock(sqlite3_file* f, int l) {
  return real(f)->pMethods->xUnlock(real(f), l);
}
int pass_check_reserved(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int pass_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int pass_sector_size(sqlite3_file* f) {
  return real(f)->pMethods->xSectorSize(real(f));
}
int pass_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int pass_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int pass_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void pass_shm_barrier(sqlite3_file* f) {
  real(f)->pMethods->xShmBarrier(real(f));
}
int pass_shm_unmap(sqlite3_file* f, int remove) {
  return real(f)->pMethods->xShmUnmap(real(f), remove);
}
int pass_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int pass_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), offset, p);
}

}  // namespace

sqlite3_io_methods passthrough_io_methods() {
  return sqlite3_io_methods{3,
                            pass_close,
                            pass_read,
                            pass_write,
                            pass_truncate,
                            pass_sync,
                            pass_file_size,
                            pass_lock,
                            pass_unlock,
                            pass_check_reserved,
                            pass_file_control,
                            pass_sector_size,
                            pass_device_characteristics,
                            pass_shm_map,
                            pass_shm_lock,
                            pass_shm_barrier,
                            pass_shm_unmap,
                            pass_fetch,
                            pass_unfetch};
}

}  // namespace archibald
