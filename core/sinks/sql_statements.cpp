#include "core/sinks/sql_statements.h"

#include <fmt/format.h>

namespace iotctl::sinks {
namespace {

// The declared SQL type of a column; the same names in both dialects so that
// column_type_from_sql() reads them back (SQLite keeps declared types as written).
std::string column_definition(SqlDialect dialect, const Column& column) {
    const std::string name = quote_identifier(dialect, column.name);
    switch (column.type) {
        case ColumnType::tag:
            return name + " VARCHAR(255) NOT NULL DEFAULT ''";
        case ColumnType::real:
            return name + " DOUBLE NULL";
        case ColumnType::integer:
            return name + " BIGINT NULL";
        case ColumnType::boolean:
            return name + " BOOLEAN NULL";
        default:
            return name + " TEXT NULL";
    }
}

// SQLite index names are global to the database: "<table>.<tag>" cannot clash, since
// identifiers never contain a dot.
std::string sqlite_tag_index(const std::string& table, const std::string& tag) {
    return fmt::format("CREATE INDEX IF NOT EXISTS \"{}.{}\" ON \"{}\" (\"{}\")", lower_name(table),
                       lower_name(tag), table, tag);
}

// The `time` column's definition: DATETIME(6) in MySQL, text in SQLite (see datetime_text()).
std::string datetime_definition(SqlDialect dialect) {
    return quote_identifier(dialect, k_datetime_column) +
           (dialect == SqlDialect::mysql ? " DATETIME(6) NULL" : " TEXT NULL");
}

}  // namespace

std::string quote_identifier(SqlDialect dialect, std::string_view name) {
    const char q = dialect == SqlDialect::mysql ? '`' : '"';
    return fmt::format("{}{}{}", q, name, q);
}

std::vector<std::string> create_table_sql(SqlDialect dialect, const std::string& table,
                                          const std::vector<Column>& columns) {
    const std::string time = quote_identifier(dialect, k_time_column);
    const std::string series = quote_identifier(dialect, k_series_column);
    const std::string datetime = quote_identifier(dialect, k_datetime_column);
    std::string sql =
        fmt::format("CREATE TABLE IF NOT EXISTS {} ({} BIGINT NOT NULL, {}, {} BIGINT NOT NULL",
                    quote_identifier(dialect, table), time, datetime_definition(dialect), series);
    for (const Column& c : columns) sql += ", " + column_definition(dialect, c);
    sql += fmt::format(", UNIQUE ({}, {})", time, series);
    std::vector<std::string> statements;
    if (dialect == SqlDialect::mysql) {
        sql += fmt::format(", KEY ({})", datetime);
        for (const Column& c : columns)
            if (c.type == ColumnType::tag)
                sql += fmt::format(", KEY ({})", quote_identifier(dialect, c.name));
        statements.push_back(sql + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    } else {
        statements.push_back(sql + ")");
        statements.push_back(sqlite_tag_index(table, std::string(k_datetime_column)));
        for (const Column& c : columns)
            if (c.type == ColumnType::tag) statements.push_back(sqlite_tag_index(table, c.name));
    }
    return statements;
}

std::vector<std::string> add_column_sql(SqlDialect dialect, const std::string& table,
                                        const Column& column) {
    std::string sql = fmt::format("ALTER TABLE {} ADD COLUMN {}", quote_identifier(dialect, table),
                                  column_definition(dialect, column));
    if (column.type != ColumnType::tag) return {sql};
    if (dialect == SqlDialect::mysql)
        return {sql + fmt::format(", ADD KEY ({})", quote_identifier(dialect, column.name))};
    return {sql, sqlite_tag_index(table, column.name)};
}

std::vector<std::string> add_time_column_sql(SqlDialect dialect, const std::string& table) {
    const std::string quoted = quote_identifier(dialect, table);
    const std::string datetime = quote_identifier(dialect, k_datetime_column);
    const std::string ts = quote_identifier(dialect, k_time_column);
    if (dialect == SqlDialect::mysql)
        return {fmt::format("ALTER TABLE {} ADD COLUMN {}, ADD KEY ({})", quoted,
                            datetime_definition(dialect), datetime),
                fmt::format("UPDATE {0} SET {1} = DATE_ADD('1970-01-01 00:00:00', INTERVAL {2} DIV "
                            "1000 MICROSECOND) WHERE {1} IS NULL",
                            quoted, datetime, ts)};
    return {fmt::format("ALTER TABLE {} ADD COLUMN {}", quoted, datetime_definition(dialect)),
            sqlite_tag_index(table, std::string(k_datetime_column)),
            fmt::format("UPDATE {0} SET {1} = strftime('%Y-%m-%d %H:%M:%S', {2} / 1000000000, "
                        "'unixepoch') || printf('.%06d', ({2} % 1000000000) / 1000) WHERE {1} IS "
                        "NULL",
                        quoted, datetime, ts)};
}

std::string insert_sql(SqlDialect dialect, const std::string& table,
                       const std::vector<Column>& columns, size_t rows) {
    std::string names = quote_identifier(dialect, k_time_column) + ", " +
                        quote_identifier(dialect, k_series_column) + ", " +
                        quote_identifier(dialect, k_datetime_column);
    std::string row = "(?, ?, ?";
    for (const Column& c : columns) {
        names += ", " + quote_identifier(dialect, c.name);
        row += ", ?";
    }
    row += ")";
    std::string sql =
        fmt::format("INSERT INTO {} ({}) VALUES {}", quote_identifier(dialect, table), names, row);
    sql.reserve(sql.size() + (rows - 1) * (row.size() + 2) + 64 * columns.size());
    for (size_t i = 1; i < rows; ++i) sql += ", " + row;
    std::string updates;
    for (const Column& c : columns) {
        if (c.type == ColumnType::tag) continue;  // tags are part of the series: already equal
        const std::string name = quote_identifier(dialect, c.name);
        const std::string incoming =
            dialect == SqlDialect::mysql ? "VALUES(" + name + ")" : "excluded." + name;
        updates += fmt::format("{}{} = COALESCE({}, {})", updates.empty() ? "" : ", ", name,
                               incoming, name);
    }
    if (dialect == SqlDialect::mysql)
        return sql + (updates.empty() ? fmt::format(" ON DUPLICATE KEY UPDATE {0} = {0}",
                                                    quote_identifier(dialect, k_time_column))
                                      : " ON DUPLICATE KEY UPDATE " + updates);
    return sql + fmt::format(" ON CONFLICT ({}, {}) DO {}",
                             quote_identifier(dialect, k_time_column),
                             quote_identifier(dialect, k_series_column),
                             updates.empty() ? "NOTHING" : "UPDATE SET " + updates);
}

std::string begin_sql(SqlDialect dialect) {
    return dialect == SqlDialect::mysql ? "START TRANSACTION" : "BEGIN IMMEDIATE";
}

std::string describe_sql(SqlDialect dialect, const std::string& table) {
    if (dialect == SqlDialect::mysql)
        return "SHOW COLUMNS FROM " + quote_identifier(dialect, table);
    return "PRAGMA table_info(" + quote_identifier(dialect, table) + ")";
}

}  // namespace iotctl::sinks
