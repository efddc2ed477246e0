// Log lines for long-running ingest: `<ISO time> <LEVEL> <text>` to stderr or a file that can be
// reopened (SIGHUP, for logrotate). Credentials in URLs are masked before anything is written.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/base/error.h"

namespace iotctl::ingest {

/// How serious a log line is.
enum class LogLevel { debug, info, warn, error };

/// A thread-safe line logger; one per process, shared by every ingest thread.
class IngestLog {
  public:
    /// Logs to stderr when `path` is empty, else appends to that file.
    static base::Result<std::unique_ptr<IngestLog>> open(const std::string& path);
    ~IngestLog();
    /// Writes one line with time and level; `user:pass@` in URLs is replaced by `***@`.
    void write(LogLevel level, std::string_view text);
    /// Reopens the file (after logrotate moved it); a no-op for stderr.
    base::Status reopen();
    /// Shorthands for write().
    void info(std::string_view t) { write(LogLevel::info, t); }
    void warn(std::string_view t) { write(LogLevel::warn, t); }
    void error(std::string_view t) { write(LogLevel::error, t); }

  private:
    explicit IngestLog(std::string path) : path_(std::move(path)) {}
    std::string path_;
    int fd_ = 2;
    std::mutex mutex_;
};

/// Masks the password (and user) of any `scheme://user:pass@host` in `text`.
std::string mask_credentials(std::string_view text);

}  // namespace iotctl::ingest
