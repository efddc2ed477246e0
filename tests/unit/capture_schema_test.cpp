// SQLite files that are not captures: refused on open with the file and what is wrong, never
// aborting, never written to.
#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <initializer_list>

#include <SQLiteCpp/SQLiteCpp.h>

#include "core/capture/reader.h"
#include "core/capture/store.h"

using namespace iotctl;

namespace {

// A fresh SQLite file made by running `sql`.
std::string sqlite_file(const char* name, std::initializer_list<const char*> sql) {
    auto dir = std::filesystem::temp_directory_path() /
               ("iotctl-unit-schema-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = (dir / name).string();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (const char* statement : sql) db.exec(statement);
    return path;
}

std::string schema_of(const std::string& path) {
    SQLite::Database db(path);
    SQLite::Statement q(db, "SELECT group_concat(sql, '; ') FROM sqlite_master");
    q.executeStep();
    return q.getColumn(0).getString();
}

}  // namespace

TEST_CASE("a messages table without the capture columns is refused, not an abort") {
    auto two = sqlite_file("two.db", {"CREATE TABLE messages(a, b)"});
    auto opened = capture::open_capture(two);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().message ==
          "'" + two +
              "' is a SQLite database but not a capture: its messages table has no id, ts_ns, "
              "topic, payload, qos, retain columns");
    auto half = sqlite_file("half.db", {"CREATE TABLE messages(ts_ns, topic)"});
    CHECK(capture::open_capture(half).error().message ==
          "'" + half +
              "' is a SQLite database but not a capture: its messages table has no id, payload, "
              "qos, retain columns");
    CHECK_FALSE(capture::scan_capture(half, {}, {}).ok());
}

TEST_CASE("SQLite files without a capture's tables are refused for reading") {
    auto other = sqlite_file("other.db", {"CREATE TABLE users(name)", "CREATE TABLE orders(n)"});
    CHECK(capture::open_capture(other).error().message ==
          "'" + other +
              "' is a SQLite database but not a capture: it has no messages table (its tables: "
              "users, orders)");
    auto empty = sqlite_file("empty.db", {"PRAGMA user_version = 7"});
    CHECK(capture::open_capture(empty).error().message ==
          "'" + empty + "' is a SQLite database but not a capture: it has no tables");
    auto meta = sqlite_file(
        "meta.db", {"CREATE TABLE messages(id INTEGER PRIMARY KEY, ts_ns, topic, payload, qos, "
                    "retain)",
                    "CREATE TABLE meta(k, v)"});
    CHECK(capture::open_capture(meta).error().message ==
          "'" + meta +
              "' is a SQLite database but not a capture: its meta table has no key, value columns");
}

TEST_CASE("sub --record never writes into someone else's SQLite database") {
    for (auto [name, sql] : {std::pair{"rec-two.db", "CREATE TABLE messages(a, b)"},
                             std::pair{"rec-users.db", "CREATE TABLE users(name)"}}) {
        auto path = sqlite_file(name, {sql});
        auto before = schema_of(path);
        auto store = capture::CaptureStore::open(path, "mqttv311");
        REQUIRE_FALSE(store.ok());
        CHECK(store.error().message.starts_with("'" + path +
                                                "' is a SQLite database but not a capture: "));
        CHECK(store.error().message.ends_with("; not recording into it"));
        CHECK(schema_of(path) == before);
        SQLite::Database db(path);
        CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "delete");
    }
}

TEST_CASE("a capture with the six documented columns is read, and appended to") {
    auto six = sqlite_file(
        "six.db", {"CREATE TABLE messages(id INTEGER PRIMARY KEY, ts_ns INTEGER, topic TEXT, "
                   "payload BLOB, qos INTEGER, retain INTEGER)",
                   "INSERT INTO messages(ts_ns, topic, payload, qos, retain) VALUES(1, 'a', 'p', "
                   "1, 0)"});
    REQUIRE(capture::scan_capture(six, {}, {}).ok());
    {
        auto store = capture::CaptureStore::open(six, "mqttv311");
        REQUIRE(store.ok());
    }
    auto empty = sqlite_file("new-in-empty.db", {"PRAGMA user_version = 1"});
    CHECK(capture::CaptureStore::open(empty, "mqttv311").ok());
}
