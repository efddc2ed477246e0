// SQL sinks: MySQL/MariaDB (MariaDB Connector/C) and SQLite (SQLiteCpp), one table per
// measurement; the layout is described in core/sql_schema.h and docs/sinks.md.
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "core/sink.h"

namespace iotctl {

/// Builds a MySQL/MariaDB sink from `mysql://user[:pass]@host[:port]/db[?socket=PATH]`
/// (connects lazily; creates the database if it is missing and the account may).
Result<std::unique_ptr<Sink>> make_mysql_sink(const std::string& url);

/// Builds a SQLite sink writing to `path` (created if missing; WAL mode).
Result<std::unique_ptr<Sink>> make_sqlite_sink(const std::string& path);

}  // namespace iotctl
