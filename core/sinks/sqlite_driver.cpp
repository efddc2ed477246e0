#include "core/sinks/sqlite_driver.h"

#include <map>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include "core/base/private_file.h"
#include "core/sinks/write_outcome.h"

namespace iotctl::sinks {
namespace {

constexpr int k_busy_timeout_ms = 5000;
constexpr size_t k_max_cached_statements = 32;

class SqliteDriver : public SqlDriver {
  public:
    explicit SqliteDriver(std::string path) : path_(std::move(path)) {}

    SqlDialect dialect() const override { return SqlDialect::sqlite; }
    std::string target() const override { return "SQLite file " + path_; }

    size_t max_parameters() const override {
        if (!db_) return 999;  // SQLite's historical minimum
        return static_cast<size_t>(
            sqlite3_limit(db_->getHandle(), SQLITE_LIMIT_VARIABLE_NUMBER, -1));
    }

    WriteOutcome open() override {
        if (db_) return {};
        // A new database file is created owner-only first: SQLite gives its -wal and -shm files
        // the same mode.
        if (path_ != ":memory:") {
            if (auto ec = base::create_private_file(path_))
                return failed_outcome(WriteOutcome::retry, fmt::format("{}: cannot create it: {}",
                                                                       target(), ec.message()));
        }
        try {
            db_ = std::make_unique<SQLite::Database>(
                path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, k_busy_timeout_ms);
            db_->exec("PRAGMA journal_mode=WAL");
            db_->exec("PRAGMA synchronous=FULL");
            return {};
        } catch (const SQLite::Exception& e) {
            return failure(e);
        }
    }

    WriteOutcome describe(const std::string& table, TableSchema& out) override {
        if (WriteOutcome o = open(); o.kind != WriteOutcome::ok) return o;
        try {
            SQLite::Statement query(*db_, describe_sql(dialect(), table));
            out.columns.clear();
            out.exists = false;
            while (query.executeStep()) {
                out.exists = true;
                const std::string name = query.getColumn(1).getString();
                if (lower_name(name) == k_time_column || lower_name(name) == k_series_column)
                    continue;
                out.columns.push_back({name, column_type_from_sql(query.getColumn(2).getString())});
            }
            return {};
        } catch (const SQLite::Exception& e) {
            return failure(e);
        }
    }

    WriteOutcome execute(const std::string& sql) override {
        if (WriteOutcome o = open(); o.kind != WriteOutcome::ok) return o;
        try {
            db_->exec(sql);
            return {};
        } catch (const SQLite::Exception& e) {
            return failure(e);
        }
    }

    WriteOutcome execute(const std::string& sql, const std::vector<SqlValue>& params) override {
        if (WriteOutcome o = open(); o.kind != WriteOutcome::ok) return o;
        try {
            SQLite::Statement& statement = prepared(sql);
            statement.reset();
            for (size_t i = 0; i < params.size(); ++i)
                bind(statement, static_cast<int>(i + 1), params[i]);
            statement.exec();
            statement.reset();
            return {};
        } catch (const SQLite::Exception& e) {
            if (auto it = statements_.find(sql); it != statements_.end()) it->second->tryReset();
            return failure(e);
        }
    }

  private:
    SQLite::Statement& prepared(const std::string& sql) {
        auto it = statements_.find(sql);
        if (it != statements_.end()) return *it->second;
        if (statements_.size() >= k_max_cached_statements) statements_.clear();
        return *statements_.emplace(sql, std::make_unique<SQLite::Statement>(*db_, sql))
                    .first->second;
    }

    static void bind(SQLite::Statement& statement, int index, const SqlValue& value) {
        switch (value.index()) {
            case 0:
                statement.bind(index);
                break;
            case 1:
                statement.bind(index, static_cast<int64_t>(std::get<int64_t>(value)));
                break;
            case 2:
                statement.bind(index, std::get<double>(value));
                break;
            case 3:
                statement.bind(index, std::get<bool>(value) ? 1 : 0);
                break;
            default:
                statement.bindNoCopy(index, *std::get<const std::string*>(value));
                break;
        }
    }

    // Constraint and type errors are the data's fault; anything else (locked, I/O, disk full,
    // a table changed under us) is retried, on a fresh connection unless it was a lock.
    WriteOutcome failure(const SQLite::Exception& e) {
        const int code = e.getErrorCode();
        const bool data =
            code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH || code == SQLITE_TOOBIG;
        if (!data && code != SQLITE_BUSY && code != SQLITE_LOCKED) {
            statements_.clear();
            db_.reset();
        }
        return failed_outcome(data ? WriteOutcome::reject : WriteOutcome::retry,
                              fmt::format("{}: {}", target(), shorten_reason(e.what())));
    }

    std::string path_;
    std::unique_ptr<SQLite::Database> db_;
    std::map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

}  // namespace

std::unique_ptr<SqlDriver> make_sqlite_driver(const std::string& path) {
    return std::make_unique<SqliteDriver>(path);
}

}  // namespace iotctl::sinks
