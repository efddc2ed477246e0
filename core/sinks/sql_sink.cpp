#include "core/sinks/sql_sink.h"

#include <algorithm>
#include <cmath>

#include "core/sinks/sql_schema.h"
#include "core/sinks/sql_statements.h"
#include "core/sinks/write_outcome.h"

namespace iotctl::sinks {
namespace {

constexpr size_t k_rows_per_statement = 500;

// The parameter for one tag or field column of a record (NULL when absent or not finite).
SqlValue column_value(const base::Record& record, const Column& column) {
    if (column.type == ColumnType::tag) return &tag_for(record, column.name);
    const base::FieldValue* value = field_for(record, column.name);
    // A value that does not fit the column was left out by plan_batch (BatchPlan::dropped).
    if (value == nullptr || !column_accepts(column.type, *value)) return std::monostate{};
    switch (value->index()) {
        case 0: {
            const double d = std::get<double>(*value);
            return std::isfinite(d) ? SqlValue(d) : SqlValue(std::monostate{});
        }
        case 1:
            return std::get<int64_t>(*value);
        case 2:
            return std::get<bool>(*value);
        default:
            return &std::get<std::string>(*value);
    }
}

class SqlSink : public Sink {
  public:
    SqlSink(std::string name, std::unique_ptr<SqlDriver> driver)
        : name_(std::move(name)), driver_(std::move(driver)) {}

    std::string name() const override { return name_; }

    base::Status check_access() override { return driver_->check_access(); }

    WriteOutcome write(const std::vector<base::Record>& batch) override {
        if (batch.empty()) return {};
        WriteOutcome opened = driver_->open();
        if (driver_->epoch() != epoch_) {  // another database now: what the cache says is stale
            cache_.clear();
            epoch_ = driver_->epoch();
        }
        std::vector<std::string> warnings = std::move(opened.warnings);
        WriteOutcome outcome =
            opened.kind == WriteOutcome::ok ? write_opened(batch) : as_retry(std::move(opened));
        outcome.warnings.insert(outcome.warnings.begin(), warnings.begin(), warnings.end());
        return outcome;
    }

  private:
    // Writes a batch on an open connection: schemas, DDL, then the rows in one transaction.
    WriteOutcome write_opened(const std::vector<base::Record>& batch) {
        WriteOutcome outcome = load_schemas(batch);
        if (outcome.kind != WriteOutcome::ok) return as_retry(outcome);
        BatchPlan plan = plan_batch(batch, cache_);
        for (TablePlan& table : plan.tables) {
            outcome = evolve(table, plan.rejected);
            if (outcome.kind == WriteOutcome::retry) return outcome;
        }
        outcome = insert_all(batch, plan, false);
        if (outcome.kind == WriteOutcome::reject)  // find the rows the server refuses, one by one
            outcome = insert_all(batch, plan, true);
        if (outcome.kind == WriteOutcome::retry) {
            cache_.clear();  // a table may have changed under us: read the schemas again
            return outcome;
        }
        std::vector<size_t> rejected;
        for (const auto& r : plan.rejected) rejected.push_back(r.first);
        WriteOutcome result =
            rejection_outcome(driver_->target(), batch.size(), std::move(rejected),
                              plan.rejected.empty() ? "" : plan.rejected.front().second);
        for (const auto& [row, field] : plan.dropped)
            if (!std::binary_search(result.rejected.begin(), result.rejected.end(), row))
                result.dropped.push_back(batch[row].measurement + "." + field);
        return result;
    }

    static WriteOutcome as_retry(WriteOutcome outcome) {
        outcome.kind = WriteOutcome::retry;  // nothing is wrong with the data itself
        return outcome;
    }

    static WriteOutcome as_retry_unless_ok(WriteOutcome outcome) {
        return outcome.kind == WriteOutcome::ok ? outcome : as_retry(std::move(outcome));
    }

    // Reads the schema of every table the batch names that is not cached yet.
    WriteOutcome load_schemas(const std::vector<base::Record>& batch) {
        for (const base::Record& record : batch) {
            if (!valid_identifier(record.measurement)) continue;
            const std::string key = lower_name(record.measurement);
            if (cache_.count(key) != 0) continue;
            TableSchema schema;
            schema.name = record.measurement;
            if (WriteOutcome o = driver_->describe(record.measurement, schema);
                o.kind != WriteOutcome::ok)
                return o;
            cache_[key] = std::move(schema);
        }
        return {};
    }

    // True when the table, read again from the database, has every column the plan needs.
    bool has_columns_now(const TablePlan& table) {
        TableSchema fresh;
        if (driver_->describe(table.table, fresh).kind != WriteOutcome::ok || !fresh.exists)
            return false;
        if (!fresh.has_time) return false;
        for (const Column& c : table.new_columns)
            if (!fresh.find(c.name)) return false;
        cache_[lower_name(table.table)] = std::move(fresh);
        return true;
    }

    // Creates the table or adds its new columns; on a refused DDL its rows are rejected.
    WriteOutcome evolve(TablePlan& table, std::vector<std::pair<size_t, std::string>>& rejected) {
        std::vector<std::string> statements;
        if (table.create) {
            statements = create_table_sql(driver_->dialect(), table.table, table.new_columns);
        } else {
            // A table made before the `time` column existed gets it (filled from ts_ns) first.
            if (!cache_[lower_name(table.table)].has_time)
                statements = add_time_column_sql(driver_->dialect(), table.table);
            for (const Column& c : table.new_columns) {
                auto more = add_column_sql(driver_->dialect(), table.table, c);
                statements.insert(statements.end(), more.begin(), more.end());
            }
        }
        TableSchema& cached = cache_[lower_name(table.table)];
        for (const std::string& sql : statements) {
            WriteOutcome o = driver_->execute(sql);
            if (o.kind == WriteOutcome::ok) continue;
            cache_.erase(lower_name(table.table));  // read it again next time
            if (o.kind == WriteOutcome::retry) return o;
            // Another writer (e.g. a second `ingest --share` process) may have just made the
            // same change: if the table now has every column, the DDL's failure is harmless.
            if (has_columns_now(table)) return {};
            for (const size_t row : table.rows) rejected.emplace_back(row, o.message);
            table.rows.clear();
            return {};
        }
        cached.exists = true;
        cached.has_time = true;
        cached.columns.insert(cached.columns.end(), table.new_columns.begin(),
                              table.new_columns.end());
        return {};
    }

    // Inserts every planned row in one transaction; one row per statement when `row_by_row`,
    // recording the rows the server refuses in plan.rejected instead of failing.
    WriteOutcome insert_all(const std::vector<base::Record>& batch, BatchPlan& plan,
                            bool row_by_row) {
        const SqlDialect dialect = driver_->dialect();
        if (WriteOutcome o = driver_->execute(begin_sql(dialect)); o.kind != WriteOutcome::ok)
            return as_retry(o);
        std::vector<SqlValue> params;
        for (TablePlan& table : plan.tables) {
            const size_t width = table.insert_columns.size() + 3;
            std::vector<std::string> times;  // the `time` texts the parameters point to
            const size_t chunk = row_by_row ? 1
                                            : std::clamp<size_t>(driver_->max_parameters() / width,
                                                                 1, k_rows_per_statement);
            std::vector<size_t> kept;
            for (size_t start = 0; start < table.rows.size(); start += chunk) {
                const size_t n = std::min(chunk, table.rows.size() - start);
                params.clear();
                times.clear();
                times.reserve(n);  // no reallocation: params hold pointers into it
                for (size_t k = start; k < start + n; ++k) {
                    const base::Record& record = batch[table.rows[k]];
                    params.emplace_back(record.ts_ns);
                    params.emplace_back(series_hash(record));
                    times.push_back(datetime_text(record.ts_ns));
                    params.emplace_back(&times.back());
                    for (const Column& c : table.insert_columns)
                        params.push_back(column_value(record, c));
                }
                WriteOutcome o = driver_->execute(
                    insert_sql(dialect, table.table, table.insert_columns, n), params);
                if (o.kind == WriteOutcome::ok) {
                    if (row_by_row) kept.push_back(table.rows[start]);
                    continue;
                }
                if (o.kind == WriteOutcome::retry || !row_by_row) {
                    driver_->execute("ROLLBACK");
                    return o;
                }
                plan.rejected.emplace_back(table.rows[start], o.message);
            }
            if (row_by_row) table.rows = std::move(kept);
        }
        if (WriteOutcome o = driver_->execute("COMMIT"); o.kind != WriteOutcome::ok) {
            driver_->execute("ROLLBACK");
            return as_retry(o);
        }
        return as_retry_unless_ok(driver_->check_committed());
    }

    std::string name_;
    std::unique_ptr<SqlDriver> driver_;
    SchemaCache cache_;
    uint64_t epoch_ = 0;  // driver_->epoch() the cache belongs to
};

}  // namespace

std::unique_ptr<Sink> make_sql_sink(std::string name, std::unique_ptr<SqlDriver> driver) {
    return std::make_unique<SqlSink>(std::move(name), std::move(driver));
}

}  // namespace iotctl::sinks
