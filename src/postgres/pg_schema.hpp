// The PostgreSQL schema and its versioned migrations, applied at start under an advisory lock
// so that several nodes starting at once apply each migration once. A node refuses a
// database whose schema is newer than it knows.
#pragma once

#include <string>

#include "postgres/pg_connection.hpp"

namespace archibald {

// The schema version this build knows.
int pg_schema_latest();

// Brings the database to pg_schema_latest(); why not, or empty.
std::string pg_migrate(pg_connection& db);

}  // namespace archibald
