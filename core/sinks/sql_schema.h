// The SQL table layout shared by the MySQL and SQLite sinks: names, column types, column
// evolution and the per-batch plan. Pure logic, no I/O.
//
// One table per measurement: `ts_ns` BIGINT (Unix ns), `time` (the same instant in UTC as
// DATETIME(6) in MySQL, `YYYY-MM-DD HH:MM:SS.ffffff` text in SQLite; indexed), `series_hash`
// BIGINT (a stable hash of
// the non-empty tags), one VARCHAR(255) NOT NULL DEFAULT '' indexed column per tag, one
// DOUBLE/BIGINT/BOOLEAN/TEXT column per field, and UNIQUE (ts_ns, series_hash): a record
// written again (redelivery, retried batch) updates its row instead of adding one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/record.h"

namespace iotctl::sinks {

/// The time column: Unix time in nanoseconds, as in the capture file's `ts_ns`.
inline constexpr std::string_view k_time_column = "ts_ns";
/// The readable time column: ts_ns in UTC, written by the sink next to ts_ns and indexed.
inline constexpr std::string_view k_datetime_column = "time";
/// The series column: series_hash(record), part of the unique key.
inline constexpr std::string_view k_series_column = "series_hash";
/// Longest tag value a tag column holds, in characters.
inline constexpr size_t k_max_tag_chars = 255;

/// The type of a tag or field column; `other` is a column the sink did not create.
enum class ColumnType { tag, real, integer, boolean, text, other };

/// One tag or field column of a table.
struct Column {
    std::string name;
    ColumnType type = ColumnType::other;
};

/// What is known about one table: whether it exists and its tag and field columns.
struct TableSchema {
    std::string name;
    bool exists = false;
    std::vector<Column> columns;  // without ts_ns, time and series_hash
    bool has_time = false;        // the table has the `time` column (older tables lack it)
    /// The column called `name`, compared case-insensitively as SQL does; nullptr if none.
    const Column* find(std::string_view name) const;
};

/// Known tables, keyed by lower-cased name.
using SchemaCache = std::map<std::string, TableSchema>;

/// True for ts_ns, time and series_hash (any case): columns the sink itself writes.
bool is_reserved_column(std::string_view name);

/// `ts_ns` as the `time` column's text: `2026-11-20 10:00:00.123456` (UTC, microseconds).
std::string datetime_text(int64_t ts_ns);

/// True for a name the sinks use as a table or column: [A-Za-z0-9_]{1,64}.
bool valid_identifier(std::string_view name);

/// `name` in lower case (identifiers are ASCII), for case-insensitive lookups.
std::string lower_name(std::string_view name);

/// The column type a field value gets when its column is created.
ColumnType column_type_for(const base::FieldValue& value);

/// True when a column of `type` can store `value` without losing information.
bool column_accepts(ColumnType type, const base::FieldValue& value);

/// A column type from a declared SQL type (`varchar(255)`, `double`, `tinyint(1)`...).
ColumnType column_type_from_sql(std::string_view declared);

/// A stable 64-bit FNV-1a hash of the record's non-empty tags (keys lower-cased, sorted).
int64_t series_hash(const base::Record& record);

/// One table's part of a batch: columns to create, rows to insert and their columns.
struct TablePlan {
    std::string table;                   // the table's name as first seen (or as stored)
    bool create = false;                 // the table does not exist yet
    std::vector<Column> new_columns;     // to add, in order (all columns when create)
    std::vector<Column> insert_columns;  // the tag and field columns the rows use
    std::vector<size_t> rows;            // indexes into the batch
};

/// What to do with a batch: per-table plans and the records that cannot be stored, with why.
struct BatchPlan {
    std::vector<TablePlan> tables;
    std::vector<std::pair<size_t, std::string>> rejected;
    /// Fields left out of a stored row (their value does not fit the column): record, field.
    std::vector<std::pair<size_t, std::string>> dropped;
};

/// Plans a batch against the known schemas (every table named by a valid measurement must be
/// in `known`, with exists=false if missing). New tags and fields become new columns typed by
/// their first value; a field whose value does not fit its column (text in a DOUBLE column) is
/// left out of the row and listed in `dropped`; records with bad names, over-long tags or no
/// field left to store are rejected.
BatchPlan plan_batch(const std::vector<base::Record>& batch, const SchemaCache& known);

/// The value a record has for `column` (case-insensitive): a field, or nullptr.
const base::FieldValue* field_for(const base::Record& record, std::string_view column);

/// The tag value a record has for `column`, or "" when it has none.
const std::string& tag_for(const base::Record& record, std::string_view column);

}  // namespace iotctl::sinks
