#include "core/capture/store.h"

#include <fstream>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "core/base/private_file.h"
#include "core/base/timestamps.h"
#include "core/capture/schema.h"

namespace iotctl::capture {

namespace {

// Waits this long for another process's lock before giving up.
constexpr int k_busy_timeout_ms = 2000;

// A file that exists and is not empty must be a SQLite database, or we would clobber it.
base::Status check_not_foreign(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    char head[16] = {};
    in.read(head, sizeof head);
    if (in.gcount() == 0) return {};
    if (in.gcount() < 16 || std::string_view(head, 16) != k_sqlite_magic)
        return base::runtime_error(
            fmt::format("'{}' exists and is not a SQLite capture; not appending to it", path));
    return {};
}

std::string meta_value(SQLite::Database& db, const char* key) {
    SQLite::Statement q(db, "SELECT value FROM meta WHERE key = ?");
    q.bind(1, key);
    return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

void set_meta(SQLite::Database& db, const char* key, const std::string& value) {
    SQLite::Statement q(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
    q.bind(1, key);
    q.bind(2, value);
    q.exec();
}

}  // namespace

base::Result<std::unique_ptr<CaptureStore>> CaptureStore::open(
    const std::string& path, const std::string& protocol_version) {
    if (auto s = check_not_foreign(path); !s) return s.error();
    // Owner only (SQLite gives the -wal and -shm files the same mode); an existing file keeps its.
    if (auto ec = base::create_private_file(path))
        return base::runtime_error(
            fmt::format("cannot create capture '{}': {}", path, ec.message()));
    std::unique_ptr<CaptureStore> store(new CaptureStore());
    store->path_ = path;
    try {
        store->db_ = std::make_unique<SQLite::Database>(
            path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
            k_busy_timeout_ms);
        auto& db = *store->db_;
        // Someone else's database is never written to: not a table, not even the journal mode.
        auto layout = check_capture_schema(db, path);
        if (!layout) return base::runtime_error(layout.error().message + "; not recording into it");
        db.exec("PRAGMA journal_mode=WAL");
        db.exec("PRAGMA synchronous=NORMAL");
        SQLite::Transaction tx(db);
        db.exec(k_capture_messages_ddl);
        db.exec(k_capture_meta_ddl);
        // A capture made by another tool with exactly the documented columns (docs/capture.md)
        // gains the extra one.
        if (!layout->empty && !layout->has_properties)
            db.exec("ALTER TABLE messages ADD COLUMN properties TEXT");
        if (meta_value(db, "format").empty()) {
            set_meta(db, "format", k_capture_format);
            set_meta(db, "created_ns", std::to_string(base::now_ns()));
        }
        set_meta(db, "protocol_version",
                 merged_protocol_version(meta_value(db, "protocol_version"), protocol_version));
        set_meta(db, "recorder", "iotctl " IOTCTL_VERSION);
        tx.commit();
        store->insert_ =
            std::make_unique<SQLite::Statement>(db,
                                                "INSERT INTO messages(ts_ns, topic, payload, qos, "
                                                "retain, properties) VALUES(?, ?, ?, ?, ?, ?)");
    } catch (const SQLite::Exception& e) {
        return base::runtime_error(fmt::format("cannot open capture '{}': {}", path, e.what()));
    }
    return store;
}

CaptureStore::~CaptureStore() = default;

base::Status CaptureStore::write_batch(const std::vector<base::Message>& batch) {
    if (batch.empty()) return {};
    try {
        SQLite::Transaction tx(*db_);
        auto& q = *insert_;
        for (const auto& m : batch) {
            q.bind(1, static_cast<int64_t>(m.ts_ns));
            q.bindNoCopy(2, m.topic);
            q.bindNoCopy(3, m.payload.data(), static_cast<int>(m.payload.size()));
            q.bind(4, m.qos);
            q.bind(5, m.retain ? 1 : 0);
            auto props = properties_to_json(m);
            if (props)
                q.bind(6, *props);
            else
                q.bind(6);
            q.exec();
            q.reset();
        }
        tx.commit();
    } catch (const SQLite::Exception& e) {
        insert_->reset();
        return base::runtime_error(fmt::format("writing capture '{}' failed: {}", path_, e.what()));
    }
    return {};
}

}  // namespace iotctl::capture
