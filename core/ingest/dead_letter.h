// Dead letters: messages ingest could not store, as JSON lines {ts, topic, payload, reason}.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "core/base/error.h"
#include "core/base/message.h"

namespace iotctl::ingest {

/// Appends dead letters to a file (or only counts them when no file is named); thread-safe.
class DeadLetterFile {
  public:
    /// Opens `path` for appending; an empty path keeps only the counter.
    static base::Result<std::unique_ptr<DeadLetterFile>> open(const std::string& path);
    ~DeadLetterFile();
    /// Records one dead message and why; the payload is text, or base64 when not UTF-8. A
    /// failed write is retried three times (50, 100, 200 ms apart; once while writes keep
    /// failing); an error means the letter is not in the file and the caller must keep it.
    base::Status write(const base::Message& message, const std::string& reason);
    /// Reopens the file (after logrotate moved it).
    base::Status reopen();
    /// How many dead letters were recorded.
    uint64_t count() const { return count_.load(); }

  private:
    explicit DeadLetterFile(std::string path) : path_(std::move(path)) {}
    std::string path_;
    int fd_ = -1;
    std::mutex mutex_;
    bool torn_ = false;     // the file ends in a cut-short line (under mutex_)
    bool failing_ = false;  // the last write failed for good (under mutex_)
    std::atomic<uint64_t> count_{0};
};

/// The JSON line (with its newline) written for one dead message.
std::string dead_letter_line(const base::Message& message, const std::string& reason);

/// The same letter as one line of JSON without the newline and with the payload always in
/// base64 (`"payload_encoding":"base64"`), for the log when the file cannot take it.
std::string dead_letter_log_text(const base::Message& message, const std::string& reason);

}  // namespace iotctl::ingest
