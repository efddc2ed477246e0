#include "core/capture/sources.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "core/base/line_reader.h"
#include "core/base/message_json.h"
#include "core/base/payload.h"
#include "core/capture/schema.h"

namespace iotctl::capture {

namespace {

class SqliteSource : public MessageSource {
  public:
    SqliteSource(std::string path, std::unique_ptr<SQLite::Database> db, bool has_properties)
        : path_(std::move(path)), db_(std::move(db)) {
        query_ = std::make_unique<SQLite::Statement>(
            *db_,
            fmt::format("SELECT ts_ns, topic, payload, qos, retain, {} FROM messages ORDER BY id",
                        has_properties ? "properties" : "NULL"));
    }

    base::Result<bool> next(base::Message& out) override {
        try {
            if (!query_->executeStep()) return false;
            out.ts_ns = query_->getColumn(0).getInt64();
            auto topic = query_->getColumn(1);
            out.topic.assign(static_cast<const char*>(topic.getBlob()), topic.getBytes());
            auto payload = query_->getColumn(2);
            out.payload.assign(static_cast<const char*>(payload.getBlob()), payload.getBytes());
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
                fmt::format("reading capture '{}' failed: {}", path_, e.what()));
        }
    }

  private:
    std::string path_;
    std::unique_ptr<SQLite::Database> db_;
    std::unique_ptr<SQLite::Statement> query_;
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

}  // namespace

base::Result<std::unique_ptr<MessageSource>> open_sqlite_capture(const std::string& path,
                                                                 std::string& protocol_version) {
    try {
        auto db =
            std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX);
        if (!db->tableExists("messages"))
            return base::runtime_error(fmt::format(
                "'{}' is a SQLite database but not a capture (no messages table)", path));
        SQLite::Statement cols(
            *db, "SELECT 1 FROM pragma_table_info('messages') WHERE name = 'properties'");
        bool has_properties = cols.executeStep();
        if (db->tableExists("meta")) {
            SQLite::Statement q(*db, "SELECT value FROM meta WHERE key = 'protocol_version'");
            if (q.executeStep()) protocol_version = q.getColumn(0).getString();
        }
        return std::unique_ptr<MessageSource>(
            new SqliteSource(path, std::move(db), has_properties));
    } catch (const SQLite::Exception& e) {
        return base::runtime_error(fmt::format("cannot read capture '{}': {}", path, e.what()));
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
