// SQL sinks: MySQL/MariaDB (MariaDB Connector/C) and SQLite (SQLiteCpp), one table per
// measurement; the layout is described in core/sinks/sql_schema.h and docs/sinks.md.
#pragma once

#include <memory>
#include <string>

#include "core/base/error.h"
#include "core/sinks/sink.h"

namespace iotctl::sinks {

/// Builds a MySQL/MariaDB sink from `mysql://user[:pass]@host[:port]/db[?socket=PATH]`
/// (connects lazily; creates the database if it is missing and the account may).
base::Result<std::unique_ptr<Sink>> make_mysql_sink(const std::string& url);

/// Builds a SQLite sink writing to `path` (created if missing; WAL mode).
base::Result<std::unique_ptr<Sink>> make_sqlite_sink(const std::string& path);

}  // namespace iotctl::sinks
