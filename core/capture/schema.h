// The capture file of docs/capture.md: its SQLite schema, meta keys and per-message properties.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.h"
#include "core/base/message.h"

namespace SQLite {
class Database;
}  // namespace SQLite

namespace iotctl::capture {

/// The first 16 bytes of every SQLite 3 database file.
inline constexpr std::string_view k_sqlite_magic{"SQLite format 3\0", 16};

/// The docs/capture.md table, plus a nullable `properties` column (JSON) for MQTT 5 properties.
inline constexpr const char* k_capture_messages_ddl =
    "CREATE TABLE IF NOT EXISTS messages(id INTEGER PRIMARY KEY, ts_ns INTEGER, topic TEXT, "
    "payload BLOB, qos INTEGER, retain INTEGER, properties TEXT)";

/// Key/value facts about the capture: `format`, `protocol_version`, `created_ns`, `recorder`.
inline constexpr const char* k_capture_meta_ddl =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)";

/// The version of this layout, stored under meta `format`.
inline constexpr const char* k_capture_format = "iotctl-capture-1";

/// What the tables of a SQLite database say about it being a capture.
struct CaptureLayout {
    bool empty = false;           // no tables at all: a capture may be created in it
    bool has_properties = false;  // the messages table has the optional `properties` column
};

/// Checks that `db` (the file `path`) holds a capture: a `messages` table with the columns of
/// docs/capture.md and, when there is one, a `meta(key, value)` table; or no tables at all. The
/// error names the file and what is wrong; SQLite errors are thrown as SQLite::Exception.
base::Result<CaptureLayout> check_capture_schema(SQLite::Database& db, const std::string& path);

/// The message's MQTT 5 properties as compact JSON, or nullopt when it has none.
std::optional<std::string> properties_to_json(const base::Message& message);

/// Restores properties written by properties_to_json into `message`; error on malformed JSON.
base::Status properties_from_json(std::string_view json, base::Message& message);

/// The protocol version to store when a capture recorded as `existing` is appended to as `now`.
std::string merged_protocol_version(const std::string& existing, const std::string& now);

}  // namespace iotctl::capture
