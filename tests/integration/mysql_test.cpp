// The MySQL and SQLite sinks against real servers: Debian's MariaDB (scripts/services/mariadb)
// and a SQLite file. Skipped with a MESSAGE when mariadbd is missing.
#include <doctest/doctest.h>

#include <mysql.h>

#include <chrono>
#include <filesystem>

#include <SQLiteCpp/SQLiteCpp.h>

#include "core/sinks/mysql_driver.h"
#include "core/sinks/sql_open.h"
#include "core/sinks/sql_sink.h"
#include "tests/integration/fixture_batch.h"
#include "tests/integration/services.h"

using namespace iotctl;
using namespace iotctl::testing;

TEST_SUITE_BEGIN("integration_sql");

namespace {

// A plain client connection for reading back what the sink wrote.
struct Client {
    MYSQL* conn = mysql_init(nullptr);
    explicit Client(Service& db) {
        const unsigned port = static_cast<unsigned>(std::stoi(db["PORT"]));
        REQUIRE(mysql_real_connect(conn, "127.0.0.1", db["USER"].c_str(), db["PASSWORD"].c_str(),
                                   db["DB"].c_str(), port, nullptr, 0) != nullptr);
        mysql_set_character_set(conn, "utf8mb4");
    }
    ~Client() { mysql_close(conn); }
    // Every row of the query, each column as text ("NULL" for NULL).
    std::vector<std::vector<std::string>> rows(const std::string& sql) {
        std::vector<std::vector<std::string>> out;
        REQUIRE_MESSAGE(mysql_query(conn, sql.c_str()) == 0, mysql_error(conn));
        MYSQL_RES* result = mysql_store_result(conn);
        REQUIRE(result != nullptr);
        const unsigned n = mysql_num_fields(result);
        while (MYSQL_ROW row = mysql_fetch_row(result)) {
            unsigned long* lengths = mysql_fetch_lengths(result);
            std::vector<std::string> r;
            for (unsigned i = 0; i < n; ++i)
                r.push_back(row[i] ? std::string(row[i], lengths[i]) : "NULL");
            out.push_back(r);
        }
        mysql_free_result(result);
        return out;
    }
};

Service* mariadb() {
    return shared_service("mariadb", "mariadbd");
}

std::unique_ptr<sinks::Sink> mysql_sink(const std::string& url) {
    auto made = sinks::make_mysql_sink(url);
    REQUIRE(made.ok());
    return std::move(*made);
}

}  // namespace

TEST_CASE("MariaDB: the fixture batch with awkward values comes back exactly; tables intact") {
    Service* db = mariadb();
    IOTCTL_SKIP_WITHOUT(db, "mariadbd");
    auto sink = mysql_sink((*db)["URL"]);
    CHECK(sink->name() == "mysql");
    std::vector<base::Record> batch = fixture_batch();
    batch.push_back(base::Record{
        "hexaboard", {{"board", "A"}}, {{"`; DROP TABLE hexaboard; --", int64_t{1}}}, k_t0 + 9});
    batch.push_back(
        base::Record{"hexaboard`; DROP TABLE hexaboard; --", {}, {{"v", 1.0}}, k_t0 + 9});
    sinks::WriteOutcome o = sink->write(batch);
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{7, 8});
    CHECK(o.message.find((*db)["PASSWORD"]) == std::string::npos);
    MESSAGE("reject message: " << o.message);

    Client client(*db);
    auto hex = client.rows(
        "SELECT board, temperature, humidity, light, ts_ns FROM hexaboard ORDER BY ts_ns");
    REQUIRE(hex.size() == 2);
    CHECK(hex[0] == std::vector<std::string>{"A", "25", "60", "800", std::to_string(k_t0)});
    CHECK(hex[1] ==
          std::vector<std::string>{"B", "24.5", "58", "NULL", std::to_string(k_t0 + 1000000000)});
    auto zb = client.rows(
        "SELECT gateway, device, name, Temperature, LinkQuality, Contact, note FROM zigbee ORDER "
        "BY ts_ns");
    REQUIRE(zb.size() == 2);
    CHECK(zb[0] == std::vector<std::string>{"gw-livingroom", "0x6E5B", "Kitchen\nDoor, A=B c",
                                            "21.5", "94", "1", "NULL"});
    CHECK(zb[1] == std::vector<std::string>{"gw-livingroom", "0x1A2B", "'; DROP TABLE zigbee; --",
                                            "NULL", "120", "NULL", "say \"hi\" \\ there"});
    CHECK(client.rows("SELECT DewPoint, sensor FROM gateway_climate") ==
          std::vector<std::vector<std::string>>{{"9.7", "SHTC3"}});
    CHECK(client.rows("SELECT command, humidity, producer FROM webos") ==
          std::vector<std::vector<std::string>>{{"signup", "40", "android"}});
    auto tables = client.rows("SHOW TABLES");
    CHECK(tables.size() == 5);  // hexaboard, gateway_climate, zigbee, gateway_state, webos
    auto types = client.rows(
        "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
        "DATABASE() "
        "AND TABLE_NAME = 'zigbee' ORDER BY ORDINAL_POSITION");
    CHECK(types == std::vector<std::vector<std::string>>{{"ts_ns", "bigint(20)"},
                                                         {"time", "datetime(6)"},
                                                         {"series_hash", "bigint(20)"},
                                                         {"gateway", "varchar(255)"},
                                                         {"device", "varchar(255)"},
                                                         {"name", "varchar(255)"},
                                                         {"Temperature", "double"},
                                                         {"LinkQuality", "bigint(20)"},
                                                         {"Contact", "tinyint(1)"},
                                                         {"note", "text"}});

    // Redelivered: the same batch again leaves one row per point.
    CHECK(sink->write(fixture_batch()).kind == sinks::WriteOutcome::ok);
    CHECK(client.rows("SELECT COUNT(*) FROM zigbee")[0][0] == "2");
    CHECK(client.rows("SELECT COUNT(*) FROM hexaboard")[0][0] == "2");
}

TEST_CASE("MariaDB: new columns appear as records bring them; a later sink reads the schema") {
    Service* db = mariadb();
    IOTCTL_SKIP_WITHOUT(db, "mariadbd");
    REQUIRE(mysql_sink((*db)["URL"])
                ->write({base::Record{"evolve", {{"board", "A"}}, {{"t", 1.0}}, 1}})
                .kind == sinks::WriteOutcome::ok);
    auto later = mysql_sink((*db)["URL"]);
    sinks::WriteOutcome o = later->write(
        {base::Record{
             "evolve", {{"board", "A"}, {"room", "lab"}}, {{"t", 2.0}, {"n", int64_t{7}}}, 2},
         base::Record{"evolve", {{"board", "B"}}, {{"t", std::string("hot")}}, 3}});
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{1});
    Client client(*db);
    CHECK(client.rows("SELECT board, room, t, n FROM evolve ORDER BY ts_ns") ==
          std::vector<std::vector<std::string>>{{"A", "", "1", "NULL"}, {"A", "lab", "2", "7"}});
}

TEST_CASE("MariaDB down, then back: retry without a crash, then the sink reconnects") {
    Service* db = mariadb();
    IOTCTL_SKIP_WITHOUT(db, "mariadbd");
    auto sink = mysql_sink((*db)["URL"]);
    REQUIRE(sink->write({base::Record{"downtime", {}, {{"v", 1.0}}, 1}}).kind ==
            sinks::WriteOutcome::ok);
    db->stop();
    sinks::WriteOutcome o = sink->write({base::Record{"downtime", {}, {{"v", 2.0}}, 2}});
    CHECK(o.kind == sinks::WriteOutcome::retry);
    CHECK(o.message.find((*db)["PASSWORD"]) == std::string::npos);
    MESSAGE("outcome while down: " << o.message);
    REQUIRE(db->restart());
    o = sink->write({base::Record{"downtime", {}, {{"v", 2.0}}, 2}});
    REQUIRE_MESSAGE(o.kind == sinks::WriteOutcome::ok, o.message);
    Client client(*db);
    CHECK(client.rows("SELECT COUNT(*) FROM downtime")[0][0] == "2");
}

TEST_CASE("MySQL server that never answers: retry after the timeout, not a hang") {
    Blackhole hole;
    sinks::MysqlTarget target;
    target.user = "u";
    target.password = "hole-secret";
    target.host = "127.0.0.1";
    target.port = static_cast<unsigned>(hole.port());
    target.db = "x";
    target.timeout_s = 1;
    auto sink = sinks::make_sql_sink("mysql", sinks::make_mysql_driver(target));
    const auto start = std::chrono::steady_clock::now();
    sinks::WriteOutcome o = sink->write({base::Record{"m", {}, {{"v", 1.0}}, 1}});
    CHECK(o.kind == sinks::WriteOutcome::retry);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    CHECK(o.message.find("hole-secret") == std::string::npos);
    MESSAGE("outcome: " << o.message);
}

TEST_CASE("SQLite file: the same fixture batch, exact values, read back with SQLiteCpp") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("iotctl-it-sqlite-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "iot.db").string();
    auto made = sinks::make_sqlite_sink(file);
    REQUIRE(made.ok());
    REQUIRE((*made)->write(fixture_batch()).kind == sinks::WriteOutcome::ok);
    SQLite::Database db(file);
    SQLite::Statement q(db, "SELECT name, note, LinkQuality FROM zigbee ORDER BY ts_ns");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == "Kitchen\nDoor, A=B c");
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == "'; DROP TABLE zigbee; --");
    CHECK(q.getColumn(1).getString() == "say \"hi\" \\ there");
    CHECK(q.getColumn(2).getInt64() == 120);
    CHECK(db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").getInt() == 5);
    std::filesystem::remove_all(dir);
}

TEST_SUITE_END();
