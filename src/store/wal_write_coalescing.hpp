// A SQLite VFS shim for the writer connection in SYNC_MODE=full: SQLite writes each WAL frame
// with separate small writes (frame header, then page); this shim gathers the contiguous
// appends of one commit in memory and hands them to the kernel in 64 KiB writes when SQLite
// syncs the WAL (or reads, truncates, sizes or closes it). Only safe when every commit syncs: other
// connections learn of new frames only after the sync, which flushes first.
// register_wal_coalescing_vfs() is idempotent and thread-safe; returns the VFS name.
#pragma once

namespace archibald {

const char* register_wal_coalescing_vfs();

}  // namespace archibald
