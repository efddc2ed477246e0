// The SQLite sink when its file is deleted or replaced while open: each batch goes into the file
// at the path (created again with its tables), never into a file no one can reach any more.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include "core/sinks/sql_open.h"
#include "core/sinks/sql_sink.h"
#include "core/sinks/sqlite_driver.h"

using namespace iotctl;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("sqlite_file");

namespace {

// A temporary directory holding the database file `iot.db`, removed afterwards.
struct TempDir {
    fs::path dir;
    fs::path file;
    TempDir() {
        static int n = 0;
        dir = fs::temp_directory_path() /
              ("iotctl-sqlite-file-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        fs::create_directories(dir);
        file = dir / "iot.db";
    }
    ~TempDir() { fs::remove_all(dir); }
};

// Two hexaboard points and one zigbee point at times from `ts` on.
std::vector<base::Record> batch_at(int64_t ts) {
    return {base::Record{"hexaboard", {{"board", "A"}}, {{"temperature", 25.0}}, ts},
            base::Record{"hexaboard", {{"board", "B"}}, {{"temperature", 24.0}}, ts + 1},
            base::Record{"zigbee", {{"device", "0x6E5B"}}, {{"Contact", true}}, ts + 2}};
}

// Removes the database file and, when `with_wal`, its -wal and -shm files (like `rm X.db*`).
void remove_db(const fs::path& file, bool with_wal) {
    fs::remove(file);
    if (!with_wal) return;
    fs::remove(file.string() + "-wal");
    fs::remove(file.string() + "-shm");
}

// The rows of `table` in the file at `file` whose ts_ns is at least `from` (-1: no table).
int64_t rows_from(const fs::path& file, const std::string& table, int64_t from) {
    SQLite::Database db(file.string());  // read-only: throws when there is no file
    if (db.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = '" + table + "'").getInt() ==
        0)
        return -1;
    return db
        .execAndGet("SELECT count(*) FROM " + table + " WHERE ts_ns >= " + std::to_string(from))
        .getInt64();
}

bool warned(const sinks::WriteOutcome& o, const fs::path& file, const std::string& what) {
    for (const std::string& w : o.warnings)
        if (w.find(file.string()) != std::string::npos && w.find(what) != std::string::npos)
            return true;
    return false;
}

std::unique_ptr<sinks::Sink> sqlite_sink(const fs::path& file) {
    auto made = sinks::make_sqlite_sink(file.string());
    REQUIRE(made.ok());
    return std::move(*made);
}

}  // namespace

TEST_CASE("SQLite: a file deleted between batches is created again; the next batch is in it") {
    for (const bool with_wal : {true, false}) {
        CAPTURE(with_wal);
        TempDir tmp;
        auto sink = sqlite_sink(tmp.file);
        REQUIRE(sink->write(batch_at(100)).kind == sinks::WriteOutcome::ok);
        remove_db(tmp.file, with_wal);
        sinks::WriteOutcome o = sink->write(batch_at(200));
        CHECK(o.kind == sinks::WriteOutcome::ok);
        CHECK(warned(o, tmp.file, "was deleted"));
        CHECK(warned(o, tmp.file, "recreated"));
        REQUIRE(fs::exists(tmp.file));
        CHECK(rows_from(tmp.file, "hexaboard", 0) == 2);  // the second batch only, tables included
        CHECK(rows_from(tmp.file, "zigbee", 0) == 1);
        CHECK(rows_from(tmp.file, "hexaboard", 200) == 2);
        // and it stays the file written to, without more warnings
        o = sink->write(batch_at(300));
        CHECK(o.kind == sinks::WriteOutcome::ok);
        CHECK(o.warnings.empty());
        CHECK(rows_from(tmp.file, "hexaboard", 0) == 4);
    }
}

TEST_CASE("SQLite: a file replaced by another database is reopened; its tables are read again") {
    TempDir tmp;
    auto sink = sqlite_sink(tmp.file);
    REQUIRE(sink->write(batch_at(100)).kind == sinks::WriteOutcome::ok);
    const fs::path other = tmp.dir / "other.db";
    {
        SQLite::Database db(other.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE notes (text TEXT)");
        db.exec("INSERT INTO notes VALUES ('kept')");
    }
    REQUIRE(std::rename(other.c_str(), tmp.file.c_str()) == 0);  // atomically over iot.db
    sinks::WriteOutcome o = sink->write(batch_at(200));
    CHECK(o.kind == sinks::WriteOutcome::ok);
    CHECK(warned(o, tmp.file, "replaced by another file"));
    CHECK(rows_from(tmp.file, "hexaboard", 0) == 2);  // the table was created in this file
    CHECK(rows_from(tmp.file, "zigbee", 0) == 1);
    SQLite::Database db(tmp.file.string());
    CHECK(db.execAndGet("SELECT text FROM notes").getString() == "kept");
}

namespace {

// The real SQLite driver, with the file deleted just before the COMMIT of the next batch.
class DeleteBeforeCommit : public sinks::SqlDriver {
  public:
    explicit DeleteBeforeCommit(fs::path file)
        : file_(std::move(file)), real_(sinks::make_sqlite_driver(file_.string())) {}
    bool armed = false;
    sinks::SqlDialect dialect() const override { return real_->dialect(); }
    std::string target() const override { return real_->target(); }
    size_t max_parameters() const override { return real_->max_parameters(); }
    sinks::WriteOutcome open() override { return real_->open(); }
    uint64_t epoch() const override { return real_->epoch(); }
    sinks::WriteOutcome check_committed() override { return real_->check_committed(); }
    sinks::WriteOutcome describe(const std::string& table, sinks::TableSchema& out) override {
        return real_->describe(table, out);
    }
    sinks::WriteOutcome execute(const std::string& sql) override {
        if (armed && sql == "COMMIT") {
            armed = false;
            remove_db(file_, true);
        }
        return real_->execute(sql);
    }
    sinks::WriteOutcome execute(const std::string& sql,
                                const std::vector<sinks::SqlValue>& params) override {
        return real_->execute(sql, params);
    }

  private:
    fs::path file_;
    std::unique_ptr<sinks::SqlDriver> real_;
};

}  // namespace

TEST_CASE("SQLite: a file deleted during a write makes it a retry, and the retry lands") {
    TempDir tmp;
    auto driver = std::make_unique<DeleteBeforeCommit>(tmp.file);
    DeleteBeforeCommit* fake = driver.get();
    auto sink = sinks::make_sql_sink("sqlite", std::move(driver));
    REQUIRE(sink->write(batch_at(100)).kind == sinks::WriteOutcome::ok);
    fake->armed = true;
    sinks::WriteOutcome o = sink->write(batch_at(200));
    CHECK(o.kind == sinks::WriteOutcome::retry);  // committed into the deleted file: not stored
    CHECK(o.message.find("deleted or replaced during the write") != std::string::npos);
    o = sink->write(batch_at(200));  // what the batcher does next
    CHECK(o.kind == sinks::WriteOutcome::ok);
    CHECK(warned(o, tmp.file, "recreated"));
    CHECK(rows_from(tmp.file, "hexaboard", 0) == 2);
    CHECK(rows_from(tmp.file, "zigbee", 0) == 1);
}

TEST_SUITE_END();
