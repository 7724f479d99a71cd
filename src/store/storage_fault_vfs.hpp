// A SQLite VFS shim that fails storage on demand, for tests (LevelDB's fault-injecting Env,
// for SQLite): deterministic disk faults without root, a tmpfs or a real failing disk.
//   write-full     every write fails with SQLITE_FULL (a full disk)
//   fsync-eio      every sync fails with SQLITE_IOERR_FSYNC (EIO from fsync)
//   open-readonly  every open for writing gets a read-only file (a file system remounted
//                  read-only), so the connection's writes fail with SQLITE_READONLY
// The faults in force are the words in a control file (one or more, any separator), read again
// at most every 20 ms; no file, no fault. The server turns this on only when
// STORAGE_FAULTS_FILE names that file (a test setting, never set in production).
// register_storage_fault_vfs() wraps the VFS named `base` (nullptr: SQLite's default) and
// returns the new VFS's name; call once per base, from one thread at start-up.
#pragma once

#include <string>

namespace archibald {

const char* register_storage_fault_vfs(const char* base, const std::string& control_file);

}  // namespace archibald
