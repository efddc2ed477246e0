// Write-ahead spool for ingest: messages appended to segment files on disk, read back in order.
//
// Every message gets a position: the byte offset of its record in one endless log that is cut
// into segment files named by the offset they start at (`00000000000000000000.seg`). A reader
// keeps its own position; checkpoints are positions; segments are deleted once every reader's
// committed position has passed them. Records are framed `[u32 length][u32 crc32][body]`, so a
// torn tail (power cut) is found and cut off when the spool is opened again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/message.h"

namespace iotctl::ingest {

/// Limits of a spool on disk.
struct SpoolOptions {
    uint64_t max_bytes = 1ull << 30;       // append blocks when segments on disk reach this
    uint64_t segment_bytes = 64ull << 20;  // a new segment file starts past this size
};

/// A message read back from the spool with where it lies.
struct SpoolEntry {
    uint64_t offset = 0;  // position of its record
    uint64_t next = 0;    // position just past it
    base::Message message;
};

/// A file descriptor closed when the last owner lets go (shared by appender and fsync timer).
struct SpoolFile {
    int fd = -1;
    explicit SpoolFile(int f) : fd(f) {}
    ~SpoolFile();
};

/// The segment files of one spool directory; append is thread-safe, readers are separate.
class Spool {
  public:
    /// Opens (creating if needed) the spool in `dir`; `start_at` is where an empty spool begins
    /// (the highest checkpoint of a previous run), so positions never go backwards.
    static base::Result<std::unique_ptr<Spool>> open(const std::string& dir,
                                                     const SpoolOptions& options,
                                                     uint64_t start_at);
    /// Appends one message with write(2) (no fsync); blocks only while the spool is full.
    base::Status append(const base::Message& message);
    /// fdatasync()s the active segment if anything was appended since the last sync.
    base::Status sync();
    /// Deletes sealed segments that end at or before `position` (every reader is past them).
    void release(uint64_t position);
    /// Stops blocking appends (when full, an append then writes past the bound rather than wait).
    void unblock();

    /// Position just past the last appended record.
    uint64_t end() const { return end_.load(std::memory_order_acquire); }
    /// Position where the oldest segment on disk starts.
    uint64_t begin() const;
    /// Bytes held by the segments on disk.
    uint64_t bytes() const { return end() - begin(); }
    /// True while appends are blocked because the spool reached max_bytes.
    bool full() const { return full_.load(); }
    /// How many times an append had to wait for space.
    uint64_t full_events() const { return full_events_.load(); }
    /// Waits until end() > `position` or the timeout passes; true when there is data.
    bool wait_for_data(uint64_t position, std::chrono::milliseconds timeout);
    /// Wakes every reader waiting for data (used when stopping).
    void wake_readers();

    /// The segment holding `position`: its path, start, and end (0 while it is the active one).
    struct Segment {
        std::string path;
        uint64_t start = 0, end = 0;
    };
    /// Finds the segment holding `position`, or the first after it; false when there is none.
    bool locate(uint64_t position, Segment& out) const;
    /// The directory holding the segments.
    const std::string& dir() const { return dir_; }

  private:
    Spool(std::string dir, SpoolOptions options) : dir_(std::move(dir)), options_(options) {}
    base::Status open_active(uint64_t start, bool existing);
    std::string segment_path(uint64_t start) const;

    std::string dir_;
    SpoolOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable data_cv_, space_cv_;
    std::map<uint64_t, uint64_t> segments_;  // start -> end (end of the active one is end_)
    std::shared_ptr<SpoolFile> active_;
    uint64_t active_start_ = 0;
    std::atomic<uint64_t> end_{0};
    uint64_t synced_end_ = 0;
    std::atomic<int> data_waiters_{0};
    std::atomic<bool> full_{false}, unblocked_{false};
    std::atomic<uint64_t> full_events_{0};
    std::string buffer_;
};

/// Encodes one message as a spool record (framing included) into `out`.
void encode_spool_record(const base::Message& message, std::string& out);

/// Decodes the record at the start of `data`: its size, or 0 when incomplete, -1 when corrupt.
int64_t decode_spool_record(const char* data, size_t size, base::Message& out);

}  // namespace iotctl::ingest
