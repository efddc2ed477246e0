#include "core/sinks/sqlite_driver.h"

#include <map>
#include <optional>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/private_file.h"
#include "core/sinks/write_outcome.h"

namespace iotctl::sinks {
namespace {

constexpr int k_busy_timeout_ms = 5000;
constexpr size_t k_max_cached_statements = 32;

// Which file a path names: device and inode.
struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileId&) const = default;
};

// The identity of the file at `path` now; nullopt when there is none (or it cannot be seen).
std::optional<FileId> file_id(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return FileId{st.st_dev, st.st_ino};
}

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

    // Before every batch: is the file at the path still the one we have open? Rows written
    // into a deleted file would be counted as stored and vanish with it.
    WriteOutcome open() override {
        if (!db_) return connect();
        const std::optional<FileId> now = file_id(path_);
        if (now && *now == id_) return {};
        retire();
        if (!now) remove_orphans();
        WriteOutcome o = connect();
        const char* what = now ? "was replaced by another file" : "was deleted";
        o.warnings.push_back(
            o.kind == WriteOutcome::ok
                ? fmt::format("SQLite file {} {} while open: closed it and {} it; the tables are "
                              "created again where missing and the writes go there",
                              path_, what, now ? "reopened" : "recreated")
                : fmt::format("SQLite file {} {} while open: closed it; opening it again failed",
                              path_, what));
        return o;
    }

    uint64_t epoch() const override { return epoch_; }

    WriteOutcome check_committed() override {
        if (db_ && file_id(path_) == id_) return {};
        return failed_outcome(
            WriteOutcome::retry,
            fmt::format("{}: the file was deleted or replaced during the write", target()));
    }

    WriteOutcome describe(const std::string& table, TableSchema& out) override {
        if (WriteOutcome o = connect(); o.kind != WriteOutcome::ok) return o;
        try {
            SQLite::Statement query(*db_, describe_sql(dialect(), table));
            out.columns.clear();
            out.exists = false;
            out.has_time = false;
            while (query.executeStep()) {
                out.exists = true;
                const std::string name = query.getColumn(1).getString();
                if (lower_name(name) == k_datetime_column) out.has_time = true;
                if (is_reserved_column(name)) continue;
                out.columns.push_back({name, column_type_from_sql(query.getColumn(2).getString())});
            }
            return {};
        } catch (const SQLite::Exception& e) {
            return failure(e);
        }
    }

    WriteOutcome execute(const std::string& sql) override {
        if (WriteOutcome o = connect(); o.kind != WriteOutcome::ok) return o;
        try {
            db_->exec(sql);
            return {};
        } catch (const SQLite::Exception& e) {
            return failure(e);
        }
    }

    WriteOutcome execute(const std::string& sql, const std::vector<SqlValue>& params) override {
        if (WriteOutcome o = connect(); o.kind != WriteOutcome::ok) return o;
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
    // Opens the file (creating it) unless it is open; remembers which file that is.
    WriteOutcome connect() {
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
        } catch (const SQLite::Exception& e) {
            WriteOutcome o = failure(e);
            close();  // half open (e.g. busy before WAL mode was set): start afresh next time
            return o;
        }
        // SQLite compares the path with the file it holds open: what we stat is that file.
        const std::optional<FileId> id = file_id(path_);
        int moved = 0;
        sqlite3_file_control(db_->getHandle(), "main", SQLITE_FCNTL_HAS_MOVED, &moved);
        if (!id || moved != 0) {
            close();
            return failed_outcome(
                WriteOutcome::retry,
                fmt::format("{}: the file changed while it was being opened", target()));
        }
        id_ = *id;
        ++epoch_;
        return {};
    }

    void close() {
        statements_.clear();
        db_.reset();
    }

    // Closes a file that is no longer at the path. SQLite keeps the WAL of a moved database on
    // close: it is emptied first (into the old file) so a file opened at the path next never
    // replays it.
    void retire() {
        statements_.clear();
        try {
            db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (const SQLite::Exception&) {
            // busy with a reader of the old file: the WAL stays as it is
        }
        close();
    }

    // With the database file gone, a WAL or journal left at its name belongs to no database:
    // SQLite would replay it into the new file.
    void remove_orphans() const {
        for (const char* suffix : {"-wal", "-shm", "-journal"}) ::unlink((path_ + suffix).c_str());
    }

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
        if (!data && code != SQLITE_BUSY && code != SQLITE_LOCKED) close();
        return failed_outcome(data ? WriteOutcome::reject : WriteOutcome::retry,
                              fmt::format("{}: {}", target(), shorten_reason(e.what())));
    }

    std::string path_;
    std::unique_ptr<SQLite::Database> db_;
    std::map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
    FileId id_;           // the file db_ has open
    uint64_t epoch_ = 0;  // files opened so far
};

}  // namespace

std::unique_ptr<SqlDriver> make_sqlite_driver(const std::string& path) {
    return std::make_unique<SqliteDriver>(path);
}

}  // namespace iotctl::sinks
