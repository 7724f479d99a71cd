// What the project's SQLite VFS shims share (wal_write_coalescing, storage_fault_vfs): a file
// struct that wraps the base VFS's file, which SQLite allocates right after the shim's own
// struct (the shim's szOsFile counts both), and an io-methods table whose every method passes
// the call through to that file, for a shim to override only what it changes. Any thread, as
// SQLite calls them.
#pragma once

#include <sqlite3.h>

namespace archibald {

struct shim_file {
  sqlite3_file base_io;  // must be first: SQLite sees this struct as a sqlite3_file
  sqlite3_file* real;    // the base VFS's file
};

// Version 3 io methods, each forwarding to shim_file::real.
sqlite3_io_methods passthrough_io_methods();

}  // namespace archibald
