// The shared SQL sink (core/sinks/sql_sink.h) over the real SQLite driver in a temporary file, and
// over a fake driver for the failure paths a local file cannot produce on demand.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <functional>

#include <SQLiteCpp/SQLiteCpp.h>

#include "core/sinks/sql_open.h"
#include "core/sinks/sql_sink.h"

using namespace iotctl;
namespace fs = std::filesystem;

TEST_SUITE_BEGIN("sql_sink");

namespace {

// A fresh SQLite file in a temporary directory, removed afterwards.
struct TempDb {
    fs::path dir;
    fs::path file;
    TempDb() {
        dir = fs::temp_directory_path() /
              ("iotctl-sql-sink-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        fs::create_directories(dir);
        file = dir / "iot.db";
    }
    ~TempDb() { fs::remove_all(dir); }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

std::unique_ptr<sinks::Sink> sqlite_sink(const fs::path& file) {
    auto made = sinks::make_sqlite_sink(file.string());
    REQUIRE(made.ok());
    return std::move(*made);
}

std::vector<base::Record> fixture_batch() {
    return {
        base::Record{"hexaboard",
                     {{"board", "A"}},
                     {{"temperature", 25.0}, {"humidity", 60.0}, {"light", int64_t{800}}},
                     1732500000000000000},
        base::Record{"hexaboard",
                     {{"board", "B"}},
                     {{"temperature", 24.5}, {"humidity", 58.0}},
                     1732500001000000000},
        base::Record{
            "zigbee",
            {{"gateway", "gw-livingroom"}, {"device", "0x6E5B"}, {"name", "Kitchen\nDoor, A=B"}},
            {{"Temperature", 21.5}, {"LinkQuality", int64_t{94}}, {"Contact", true}},
            1732500002000000000},
        base::Record{"zigbee",
                     {{"gateway", "gw-livingroom"},
                      {"device", "0x1A2B"},
                      {"name", "'; DROP TABLE zigbee; --"}},
                     {{"note", std::string("say \"hi\"\n")}, {"Contact", false}},
                     1732500003000000000},
    };
}

int64_t count_rows(SQLite::Database& db, const std::string& table) {
    return db.execAndGet("SELECT COUNT(*) FROM \"" + table + "\"").getInt64();
}

}  // namespace

TEST_CASE("SQLite: fixture shapes and awkward values come back exactly") {
    TempDb tmp;
    auto sink = sqlite_sink(tmp.file);
    CHECK(sink->name() == "sqlite");
    sinks::WriteOutcome o = sink->write(fixture_batch());
    REQUIRE(o.kind == sinks::WriteOutcome::ok);

    SQLite::Database db(tmp.file.string());
    CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
    SQLite::Statement hex(
        db, "SELECT board, temperature, humidity, light, ts_ns FROM hexaboard ORDER BY ts_ns");
    REQUIRE(hex.executeStep());
    CHECK(hex.getColumn(0).getString() == "A");
    CHECK(hex.getColumn(1).getDouble() == 25.0);
    CHECK(hex.getColumn(3).getInt64() == 800);
    CHECK(hex.getColumn(4).getInt64() == 1732500000000000000);
    REQUIRE(hex.executeStep());
    CHECK(hex.getColumn(0).getString() == "B");
    CHECK(hex.getColumn(1).getDouble() == 24.5);
    CHECK(hex.getColumn(3).isNull());
    CHECK_FALSE(hex.executeStep());

    SQLite::Statement zb(
        db, "SELECT name, Temperature, LinkQuality, Contact, note FROM zigbee ORDER BY ts_ns");
    REQUIRE(zb.executeStep());
    CHECK(zb.getColumn(0).getString() == "Kitchen\nDoor, A=B");
    CHECK(zb.getColumn(1).getDouble() == 21.5);
    CHECK(zb.getColumn(2).getInt64() == 94);
    CHECK(zb.getColumn(3).getInt() == 1);
    CHECK(zb.getColumn(4).isNull());
    REQUIRE(zb.executeStep());
    CHECK(zb.getColumn(0).getString() == "'; DROP TABLE zigbee; --");
    CHECK(zb.getColumn(3).getInt() == 0);
    CHECK(zb.getColumn(4).getString() == "say \"hi\"\n");
    CHECK(db.execAndGet("SELECT typeof(name) FROM zigbee LIMIT 1").getString() == "text");
}

TEST_CASE("SQLite: a batch written twice leaves one row per point; later fields merge in") {
    TempDb tmp;
    auto sink = sqlite_sink(tmp.file);
    REQUIRE(sink->write(fixture_batch()).kind == sinks::WriteOutcome::ok);
    REQUIRE(sink->write(fixture_batch()).kind == sinks::WriteOutcome::ok);
    base::Record more{
        "hexaboard", {{"board", "A"}}, {{"light", int64_t{900}}}, 1732500000000000000};
    REQUIRE(sink->write({more}).kind == sinks::WriteOutcome::ok);
    SQLite::Database db(tmp.file.string());
    CHECK(count_rows(db, "hexaboard") == 2);
    CHECK(count_rows(db, "zigbee") == 2);
    SQLite::Statement a(db, "SELECT temperature, light FROM hexaboard WHERE board = 'A'");
    REQUIRE(a.executeStep());
    CHECK(a.getColumn(0).getDouble() == 25.0);  // kept: the new point had no temperature
    CHECK(a.getColumn(1).getInt64() == 900);    // updated
}

TEST_CASE("SQLite: new tags and fields become columns, also in a later process") {
    TempDb tmp;
    REQUIRE(sqlite_sink(tmp.file)->write(fixture_batch()).kind == sinks::WriteOutcome::ok);
    auto second = sqlite_sink(tmp.file);  // reads the existing schema
    base::Record r{"hexaboard",
                   {{"board", "C"}, {"room", "lab"}},
                   {{"temperature", 20.0}, {"pressure", 1013.2}},
                   7};
    REQUIRE(second->write({r}).kind == sinks::WriteOutcome::ok);
    SQLite::Database db(tmp.file.string());
    SQLite::Statement q(db, "SELECT room, pressure FROM hexaboard WHERE board = 'C'");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == "lab");
    CHECK(q.getColumn(1).getDouble() == doctest::Approx(1013.2));
    CHECK(db.execAndGet("SELECT room FROM hexaboard WHERE board = 'A'").getString() == "");
    CHECK(
        db.execAndGet(
              "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'hexaboard.room'")
            .getInt() == 1);
}

TEST_CASE("SQLite: an injection-looking field name is rejected, the table stays intact") {
    TempDb tmp;
    auto sink = sqlite_sink(tmp.file);
    std::vector<base::Record> batch = fixture_batch();
    batch.push_back(base::Record{
        "hexaboard", {{"board", "A"}}, {{"`; DROP TABLE hexaboard; --", int64_t{1}}}, 9});
    batch.push_back(base::Record{"hexaboard\"; DROP TABLE hexaboard; --", {}, {{"v", 1.0}}, 9});
    sinks::WriteOutcome o = sink->write(batch);
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{4, 5});
    CHECK(o.message.find("2 of 6 records rejected") != std::string::npos);
    SQLite::Database db(tmp.file.string());
    CHECK(count_rows(db, "hexaboard") == 2);
    CHECK(count_rows(db, "zigbee") == 2);
}

TEST_CASE("SQLite: an unopenable file is a retry, not a crash") {
    TempDb tmp;
    auto sink = sqlite_sink(tmp.dir / "missing-dir" / "iot.db");
    sinks::WriteOutcome o = sink->write(fixture_batch());
    CHECK(o.kind == sinks::WriteOutcome::retry);
    CHECK(o.message.find("SQLite file") != std::string::npos);
}

namespace {

// A driver that records statements and fails the ones `fail` picks.
struct FakeDriver : sinks::SqlDriver {
    std::vector<std::string> log;
    std::function<sinks::WriteOutcome(const std::string&, const std::vector<sinks::SqlValue>&)>
        fail;
    sinks::SqlDialect dialect() const override { return sinks::SqlDialect::sqlite; }
    std::string target() const override { return "fake"; }
    size_t max_parameters() const override { return 1000; }
    sinks::WriteOutcome open() override { return {}; }
    sinks::WriteOutcome describe(const std::string& table, sinks::TableSchema& out) override {
        out.exists = false;
        return {};
    }
    sinks::WriteOutcome execute(const std::string& sql) override { return execute(sql, {}); }
    sinks::WriteOutcome execute(const std::string& sql,
                                const std::vector<sinks::SqlValue>& params) override {
        log.push_back(sql);
        return fail ? fail(sql, params) : sinks::WriteOutcome{};
    }
};

sinks::WriteOutcome outcome(sinks::WriteOutcome::Kind kind, std::string message) {
    sinks::WriteOutcome o;
    o.kind = kind;
    o.message = std::move(message);
    return o;
}

}  // namespace

TEST_CASE("a row the server refuses is found row by row; the others are committed") {
    auto driver = std::make_unique<FakeDriver>();
    FakeDriver* fake = driver.get();
    fake->fail = [](const std::string& sql, const std::vector<sinks::SqlValue>& params) {
        // multi-row inserts fail; so does the single-row insert of the point at ts 2
        const bool insert = sql.rfind("INSERT", 0) == 0;
        if (insert && (params.size() > 5 || std::get<int64_t>(params[0]) == 2))
            return outcome(sinks::WriteOutcome::reject, "bad value");
        return sinks::WriteOutcome{};
    };
    auto sink = sinks::make_sql_sink("fake", std::move(driver));
    std::vector<base::Record> batch{base::Record{"m", {}, {{"a", 1.0}}, 1},
                                    base::Record{"m", {}, {{"a", 2.0}, {"b", 3.0}}, 2},
                                    base::Record{"m", {}, {{"a", 4.0}}, 3}};
    sinks::WriteOutcome o = sink->write(batch);
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{1});
    CHECK(o.message.find("bad value") != std::string::npos);
    CHECK(fake->log.back() == "COMMIT");
    CHECK(std::count(fake->log.begin(), fake->log.end(), "ROLLBACK") == 1);
}

TEST_CASE("connection trouble anywhere is a retry of the whole batch, with a rollback") {
    for (const std::string failing : {"BEGIN", "INSERT", "COMMIT", "CREATE TABLE"}) {
        auto driver = std::make_unique<FakeDriver>();
        FakeDriver* fake = driver.get();
        fake->fail = [failing](const std::string& sql, const std::vector<sinks::SqlValue>&) {
            if (sql.rfind(failing, 0) == 0)
                return outcome(sinks::WriteOutcome::retry, "server has gone away");
            return sinks::WriteOutcome{};
        };
        auto sink = sinks::make_sql_sink("fake", std::move(driver));
        sinks::WriteOutcome o = sink->write({base::Record{"m", {}, {{"a", 1.0}}, 1}});
        CHECK(o.kind == sinks::WriteOutcome::retry);
        CHECK(o.message.find("gone away") != std::string::npos);
        if (failing == "INSERT" || failing == "COMMIT") CHECK(fake->log.back() == "ROLLBACK");
        // the next batch reads the schema again and creates the table if still needed
        fake->fail = nullptr;
        fake->log.clear();
        CHECK(sink->write({base::Record{"m", {}, {{"a", 1.0}}, 1}}).kind ==
              sinks::WriteOutcome::ok);
        CHECK(fake->log.front().rfind("CREATE TABLE", 0) == 0);
    }
}

TEST_CASE("a refused CREATE/ALTER rejects that table's rows only") {
    auto driver = std::make_unique<FakeDriver>();
    driver->fail = [](const std::string& sql, const std::vector<sinks::SqlValue>&) {
        if (sql.find("\"wide\"") != std::string::npos && sql.rfind("CREATE TABLE", 0) == 0)
            return outcome(sinks::WriteOutcome::reject, "too many columns");
        return sinks::WriteOutcome{};
    };
    auto sink = sinks::make_sql_sink("fake", std::move(driver));
    sinks::WriteOutcome o = sink->write(
        {base::Record{"wide", {}, {{"a", 1.0}}, 1}, base::Record{"m", {}, {{"a", 1.0}}, 1}});
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{0});
    CHECK(o.message.find("too many columns") != std::string::npos);
}

TEST_CASE("bad mysql URLs are usage errors that never echo the password") {
    for (const std::string url :
         {"http://u:secretpw@h/db", "mysql://u:secretpw@h/", "mysql://u:secretpw@h/bad-name",
          "mysql://:secretpw@h/db", "mysql://u:secretpw@h/db?x=1", "not a url secretpw"}) {
        auto made = sinks::make_mysql_sink(url);
        REQUIRE_FALSE(made.ok());
        CHECK(made.error().code == base::ExitCode::usage);
        CHECK(made.error().message.find("secretpw") == std::string::npos);
    }
    CHECK(sinks::make_mysql_sink("mysql://u:p%40ss@127.0.0.1:3307/iot").ok());
    CHECK(sinks::make_mysql_sink("mysql://u@localhost/iot?socket=/run/mysqld/mysqld.sock").ok());
}

TEST_SUITE_END();
