// Appends batches of messages to a SQLite capture file (docs/capture.md), one transaction each.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/message.h"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace iotctl::capture {

/// Where a recorder's batches go; an interface so the recorder's threading is testable.
class BatchWriter {
  public:
    virtual ~BatchWriter() = default;
    /// Stores every message of the batch, all or nothing.
    virtual base::Status write_batch(const std::vector<base::Message>& batch) = 0;
};

/// A capture file opened for appending: WAL mode, schema created when new.
class CaptureStore : public BatchWriter {
  public:
    /// Opens or creates the capture; `protocol_version` is noted in its meta table.
    static base::Result<std::unique_ptr<CaptureStore>> open(const std::string& path,
                                                            const std::string& protocol_version);
    ~CaptureStore() override;

    /// Inserts the batch in one transaction.
    base::Status write_batch(const std::vector<base::Message>& batch) override;

  private:
    CaptureStore() = default;
    std::string path_;
    std::unique_ptr<SQLite::Database> db_;
    std::unique_ptr<SQLite::Statement> insert_;
};

}  // namespace iotctl::capture
