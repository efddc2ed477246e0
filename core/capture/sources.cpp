#include "core/capture/sources.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include "core/base/line_reader.h"
#include "core/base/message_json.h"
#include "core/base/payload.h"
#include "core/capture/schema.h"

namespace iotctl::capture {

namespace {

// Waits this long for a writer's lock (a WAL checkpoint, say) before giving up.
constexpr int k_busy_timeout_ms = 2000;

// Payloads larger than this are read with SQLite's incremental blob I/O straight into the
// message, instead of through the row (which would hold a second copy until the next row).
constexpr int64_t k_large_payload = 1 << 20;

// What went wrong, in words: SQLite's own, except for a lock held by another process.
std::string sqlite_reason(const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_BUSY || e.getErrorCode() == SQLITE_LOCKED)
        return "it is locked by another process";
    return e.what();
}

class SqliteSource : public MessageSource {
  public:
    // Takes the database and the query prepared on it (the query is finalized first).
    SqliteSource(std::string path, std::unique_ptr<SQLite::Database> db,
                 std::unique_ptr<SQLite::Statement> query) noexcept
        : path_(std::move(path)), db_(std::move(db)), query_(std::move(query)) {}
    ~SqliteSource() override {
        if (blob_) sqlite3_blob_close(blob_);
    }

    base::Result<bool> next(base::Message& out) override {
        try {
            if (!query_->executeStep()) return false;
            out.ts_ns = query_->getColumn(0).getInt64();
            auto topic = query_->getColumn(1);
            out.topic.assign(static_cast<const char*>(topic.getBlob()), topic.getBytes());
            if (int64_t large = query_->getColumn(6).getInt64(); large >= 0) {
                if (auto s = read_large_payload(query_->getColumn(7).getInt64(), large, out); !s)
                    return s.error();
            } else {
                auto payload = query_->getColumn(2);
                out.payload.assign(static_cast<const char*>(payload.getBlob()), payload.getBytes());
            }
            out.qos = query_->getColumn(3).getInt();
            out.retain = query_->getColumn(4).getInt() != 0;
            out.user_properties.clear();
            out.content_type.clear();
            out.response_topic.clear();
            auto props = query_->getColumn(5);
            if (!props.isNull()) {
                if (auto s = properties_from_json(props.getString(), out); !s)
                    return base::runtime_error(
                        fmt::format("capture '{}': {}", path_, s.error().message));
            }
            if (out.qos < 0 || out.qos > 2) out.qos = 0;
            return true;
        } catch (const SQLite::Exception& e) {
            return base::runtime_error(
                fmt::format("reading capture '{}' failed: {}", path_, sqlite_reason(e)));
        }
    }

  private:
    base::Status read_large_payload(int64_t id, int64_t size, base::Message& out) {
        sqlite3* db = db_->getHandle();
        int rc = blob_ ? sqlite3_blob_reopen(blob_, id)
                       : sqlite3_blob_open(db, "main", "messages", "payload", id, 0, &blob_);
        if (rc == SQLITE_OK) {
            out.payload.resize(static_cast<size_t>(size));
            rc = sqlite3_blob_read(blob_, out.payload.data(), static_cast<int>(size), 0);
        }
        if (rc != SQLITE_OK)
            return base::runtime_error(
                fmt::format("reading capture '{}' failed: {}", path_, sqlite3_errmsg(db)));
        return {};
    }

    std::string path_;
    std::unique_ptr<SQLite::Database> db_;
    std::unique_ptr<SQLite::Statement> query_;
    sqlite3_blob* blob_ = nullptr;
};

class JsonLinesSource : public MessageSource {
  public:
    JsonLinesSource(std::string path, int fd) : path_(std::move(path)), fd_(fd), reader_(fd) {}
    ~JsonLinesSource() override { ::close(fd_); }

    base::Result<bool> next(base::Message& out) override {
        std::string_view line;
        while (reader_.next(line)) {
            ++line_number_;
            if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
            auto m = base::message_from_json_line(line);
            if (!m) return bad_line(m.error().message);
            out = std::move(*m);
            return true;
        }
        if (reader_.failed())
            return base::runtime_error(
                fmt::format("reading capture '{}' failed: {}", path_, reader_.error()));
        return false;
    }

  private:
    base::Error bad_line(const std::string& why) const {
        return base::runtime_error(
            fmt::format("capture '{}' line {}: {}", path_, line_number_, why));
    }

    std::string path_;
    int fd_;
    base::LineReader reader_;
    uint64_t line_number_ = 0;
};

// Opens a SQLite capture read-only and checks its tables; throws SQLite::Exception.
base::Result<std::unique_ptr<SQLite::Database>> open_capture_db(const std::string& path,
                                                                CaptureLayout& layout) {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX,
                                                 k_busy_timeout_ms);
    auto checked = check_capture_schema(*db, path);
    if (!checked) return checked.error();
    if (checked->empty)
        return base::runtime_error(
            fmt::format("'{}' is a SQLite database but not a capture: it has no tables", path));
    layout = *checked;
    return db;
}

// The recorded time of the first (or last) message in id order.
int64_t end_ts(SQLite::Database& db, bool last) {
    SQLite::Statement q(db, fmt::format("SELECT ts_ns FROM messages ORDER BY id {} LIMIT 1",
                                        last ? "DESC" : "ASC"));
    return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

}  // namespace

base::Result<CaptureScan> scan_sqlite_capture(const std::string& path) {
    std::unique_ptr<SQLite::Database> db;  // declared first: closed after the statements
    try {
        CaptureLayout layout;
        auto opened = open_capture_db(path, layout);
        if (!opened) return opened.error();
        db = std::move(*opened);
        CaptureScan scan;
        scan.selected =
            static_cast<uint64_t>(db->execAndGet("SELECT count(*) FROM messages").getInt64());
        if (scan.selected == 0)
            return base::runtime_error(fmt::format("capture '{}' holds no messages", path));
        scan.first_ns = end_ts(*db, false);
        scan.last_ns = end_ts(*db, true);
        if (layout.has_properties) {
            // The one part of a row that reading it checks (SqliteSource::next).
            SQLite::Statement q(*db,
                                "SELECT properties FROM messages WHERE properties IS NOT NULL "
                                "ORDER BY id");
            base::Message scratch;
            while (q.executeStep())
                if (auto s = properties_from_json(q.getColumn(0).getString(), scratch); !s)
                    return base::runtime_error(
                        fmt::format("capture '{}': {}", path, s.error().message));
        }
        return scan;
    } catch (const SQLite::Exception& e) {
        return base::runtime_error(
            fmt::format("reading capture '{}' failed: {}", path, sqlite_reason(e)));
    }
}

base::Result<std::unique_ptr<MessageSource>> open_sqlite_capture(const std::string& path,
                                                                 std::string& protocol_version) {
    // Declared before every statement, so it is closed after them even when one throws
    // (closing a database with a live statement fails, and SQLiteCpp asserts on that).
    std::unique_ptr<SQLite::Database> db;
    try {
        CaptureLayout layout;
        auto opened = open_capture_db(path, layout);
        if (!opened) return opened.error();
        db = std::move(*opened);
        if (db->tableExists("meta")) {
            SQLite::Statement q(*db, "SELECT value FROM meta WHERE key = 'protocol_version'");
            if (q.executeStep()) protocol_version = q.getColumn(0).getString();
        }
        // typeof() and length() of a blob are read from the record header, not the content.
        // length() goes first: an integer compare ends the test for every payload that is not
        // large (of a capture's blobs, all but a few), where typeof() made and compared a
        // string per row (a tenth of csv-export's time).
        const std::string large =
            fmt::format("length(payload) > {} AND typeof(payload) = 'blob'", k_large_payload);
        auto query = std::make_unique<SQLite::Statement>(
            *db, fmt::format("SELECT ts_ns, topic, CASE WHEN {0} THEN NULL ELSE payload END, qos, "
                             "retain, {1}, CASE WHEN {0} THEN length(payload) ELSE -1 END, id "
                             "FROM messages ORDER BY id",
                             large, layout.has_properties ? "properties" : "NULL"));
        return std::unique_ptr<MessageSource>(
            new SqliteSource(path, std::move(db), std::move(query)));
    } catch (const SQLite::Exception& e) {
        return base::runtime_error(
            fmt::format("cannot read capture '{}': {}", path, sqlite_reason(e)));
    }
}

base::Result<std::unique_ptr<MessageSource>> open_json_lines_capture(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return base::runtime_error(
            fmt::format("cannot open capture '{}': {}", path, std::strerror(errno)));
    return std::unique_ptr<MessageSource>(new JsonLinesSource(path, fd));
}

}  // namespace iotctl::capture
