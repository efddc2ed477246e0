// The SQL text of the sinks' statements, per dialect (MySQL/MariaDB or SQLite). Only names that
// passed valid_identifier() are spliced in, always quoted; values are always `?` parameters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/sinks/sql_schema.h"

namespace iotctl::sinks {

/// Which SQL the statements are written in.
enum class SqlDialect { mysql, sqlite };

/// `name` quoted as an identifier (backticks for MySQL, double quotes for SQLite).
std::string quote_identifier(SqlDialect dialect, std::string_view name);

/// The statements that create `table` with `columns` (and its indexes), if it does not exist.
std::vector<std::string> create_table_sql(SqlDialect dialect, const std::string& table,
                                          const std::vector<Column>& columns);

/// The statements that add `column` (and its index, for a tag) to `table`.
std::vector<std::string> add_column_sql(SqlDialect dialect, const std::string& table,
                                        const Column& column);

/// The statements that add the `time` column (and its index) to an older `table` and fill it
/// from ts_ns in the rows it has.
std::vector<std::string> add_time_column_sql(SqlDialect dialect, const std::string& table);

/// A multi-row upsert of `rows` rows into ts_ns, series_hash, time and `columns`: a row whose
/// (ts_ns, series_hash) exists already gets the new non-NULL field values (as InfluxDB does
/// when a point is written again).
std::string insert_sql(SqlDialect dialect, const std::string& table,
                       const std::vector<Column>& columns, size_t rows);

/// The statement that starts a write transaction (SQLite: BEGIN IMMEDIATE, taking the lock).
std::string begin_sql(SqlDialect dialect);

/// The statement that lists a table's columns (MySQL: SHOW COLUMNS; SQLite: PRAGMA table_info).
std::string describe_sql(SqlDialect dialect, const std::string& table);

}  // namespace iotctl::sinks
