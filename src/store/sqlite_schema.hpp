// Versioned schema migrations for the SQLite store. Called once at start-up on the writer
// connection; returns an empty string on success, else what failed.
#pragma once

#include <string>

#include "store/sqlite_connection.hpp"

namespace archibald {

std::string migrate_schema(sqlite_connection& db);
int schema_version(sqlite_connection& db);

}  // namespace archibald
