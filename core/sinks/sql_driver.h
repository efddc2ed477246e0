// The seam between the generic SQL sink and one database client (MariaDB Connector/C, SQLite).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/base/error.h"
#include "core/sinks/sink.h"
#include "core/sinks/sql_schema.h"
#include "core/sinks/sql_statements.h"

namespace iotctl::sinks {

/// A bound parameter: NULL, an integer, a double, a bool or text (pointing into the batch).
using SqlValue = std::variant<std::monostate, int64_t, double, bool, const std::string*>;

/// One database connection. Every call reports ok, retry (connection trouble, locks: the
/// driver drops the connection and reconnects on the next call) or reject (the statement
/// or its data is bad). Messages are one line and never contain the password.
class SqlDriver {
  public:
    virtual ~SqlDriver() = default;
    /// The SQL dialect the driver speaks.
    virtual SqlDialect dialect() const = 0;
    /// Where it writes, for messages (e.g. "MySQL at 127.0.0.1:3306/iotctl").
    virtual std::string target() const = 0;
    /// Most `?` parameters one statement may have.
    virtual size_t max_parameters() const = 0;
    /// Connects (or checks the connection still works) before a batch; a SQLite file deleted
    /// or replaced since it was opened is closed and opened again (a warning says so).
    virtual WriteOutcome open() = 0;
    /// Changes whenever open() had to open another database than before (a SQLite file
    /// created again): the table schemas the sink knows are stale then.
    virtual uint64_t epoch() const { return 0; }
    /// After a COMMIT: ok when what was committed is still where it belongs (the SQLite file
    /// still at its path); retry when not, so the batch is written again.
    virtual WriteOutcome check_committed() { return {}; }
    /// Connects once at start; an error only when the server refuses the account for good.
    virtual base::Status check_access() { return {}; }
    /// Reads `table`'s tag and field columns into `out` (exists=false when there is no table).
    virtual WriteOutcome describe(const std::string& table, TableSchema& out) = 0;
    /// Runs a statement without parameters (DDL, BEGIN, COMMIT, ROLLBACK).
    virtual WriteOutcome execute(const std::string& sql) = 0;
    /// Runs a prepared statement (cached by its text) with `params` bound in order.
    virtual WriteOutcome execute(const std::string& sql, const std::vector<SqlValue>& params) = 0;
};

}  // namespace iotctl::sinks
