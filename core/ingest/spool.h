// Write-ahead spool for ingest: messages appended to segment files on disk, read back in order.
//
// Every message gets a position: the byte offset of its record in one endless log that is cut
// into segment files named by the offset they start at (`00000000000000000000.seg`). A reader
// keeps its own position; checkpoints are positions; segments are deleted once every reader's
// committed position has passed them. Records are framed `[u32 length][u32 crc32][body]`
// (spool_record.h). A write that fails or stops short (disk full) is cut back to the last whole
// record at once, so the file never holds a torn record that later ones would follow; a torn
// tail left by a power cut is found, logged and cut off when the spool is opened again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"
#include "core/base/message.h"
#include "core/ingest/spool_disk.h"
#include "core/ingest/spool_record.h"

namespace iotctl::ingest {

/// Limits of a spool on disk.
struct SpoolOptions {
    uint64_t max_bytes = 1ull << 30;       // append blocks when segments on disk reach this
    uint64_t segment_bytes = 64ull << 20;  // a new segment file starts past this size
    uint64_t reclaim_bytes = 64ull << 10;  // an active segment every reader has passed is sealed
                                           // and deleted from this size on (any size when the
                                           // disk is full)
    SpoolDisk* disk = nullptr;             // file writes go here; nullptr: the POSIX calls
};

/// A message read back from the spool with where it lies.
struct SpoolEntry {
    uint64_t offset = 0;  // position of its record
    uint64_t next = 0;    // position just past it
    base::Message message;
};

/// A file descriptor closed when the last owner lets go (shared by appender and fsync timer).
struct SpoolFile {
    SpoolDisk& disk;
    int fd = -1;
    SpoolFile(SpoolDisk& d, int f) : disk(d), fd(f) {}
    ~SpoolFile();
};

/// What the validity scan dropped from a segment when the spool was opened.
struct SpoolRepair {
    std::string path;     // the segment file
    SpoolDrop drop;       // offset, byte count and reason
    bool records_follow;  // whole records after it were kept (readers skip the bad bytes)
};

/// The segment files of one spool directory; append is thread-safe, readers are separate.
class Spool {
  public:
    /// Opens (creating if needed) the spool in `dir`; `start_at` is where an empty spool begins
    /// (the highest checkpoint of a previous run), so positions never go backwards.
    /// `visit`, when given, sees each whole record of the last segment (the newest ones).
    static base::Result<std::unique_ptr<Spool>> open(
        const std::string& dir, const SpoolOptions& options, uint64_t start_at,
        const std::function<void(const base::Message&)>& visit = {});
    /// Appends one message with write(2) (no fsync); blocks only while the spool is full. On a
    /// failed or short write (ENOSPC) the file is cut back to its last whole record and the
    /// error returned: nothing of the message is in the spool, appending it again is safe.
    base::Status append(const base::Message& message);
    /// fdatasync()s the active segment if anything was appended since the last sync.
    base::Status sync();
    /// The largest given-back segment kept (as `redelivery.seed`) for the next open()'s visit.
    static constexpr uint64_t k_seed_max_bytes = 8ull << 20;
    /// Deletes sealed segments that end at or before `position` (every reader is past them).
    /// When `position` is the end, the active segment is sealed and deleted too (from
    /// reclaim_bytes on, or at any size while writes fail), so a spool that every sink has
    /// caught up with gives its disk space back even before the segment is full.
    void release(uint64_t position);
    /// Stops blocking appends (when full, an append then writes past the bound rather than wait).
    void unblock();
    /// Waits until a release deletes a segment or the timeout passes; true when one was deleted.
    bool wait_for_space(std::chrono::milliseconds timeout);

    /// Position just past the last appended record.
    uint64_t end() const { return end_.load(std::memory_order_acquire); }
    /// Position where the oldest segment on disk starts.
    uint64_t begin() const;
    /// Bytes held by the segments on disk.
    uint64_t bytes() const { return end() - begin(); }
    /// True while appends are blocked because the spool reached max_bytes.
    bool full() const { return full_.load(); }
    /// True from a failed append until the next one succeeds.
    bool write_failing() const { return write_failing_.load(); }
    /// The errno of the last failed write (ENOSPC when the disk is full).
    int write_errno() const { return write_errno_.load(); }
    /// How many times an append had to wait for space.
    uint64_t full_events() const { return full_events_.load(); }
    /// What the validity scan dropped when the spool was opened (empty when it was clean).
    const std::vector<SpoolRepair>& repairs() const { return repairs_; }
    /// Waits until end() > `position` or the timeout passes; true when there is data.
    bool wait_for_data(uint64_t position, std::chrono::milliseconds timeout);
    /// Wakes every reader waiting for data (used when stopping).
    void wake_readers();
    /// Where file writes go (the checkpoints use it too).
    SpoolDisk& disk() const { return disk_; }

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
    Spool(std::string dir, SpoolOptions options)
        : dir_(std::move(dir)),
          options_(options),
          disk_(options.disk ? *options.disk : posix_disk()) {}
    base::Status open_last(uint64_t start, const std::function<void(const base::Message&)>& visit);
    base::Status open_active(uint64_t start, bool existing);
    base::Status seal_active(bool sync_sealed);
    base::Status write_whole(std::string_view head, std::string_view tail);
    base::Status write_failed(std::string why, int err);
    std::string segment_path(uint64_t start) const;
    std::string seed_path() const;  // the last given-back segment, kept for open()'s visit

    std::string dir_;
    SpoolOptions options_;
    SpoolDisk& disk_;
    mutable std::mutex mutex_;
    std::condition_variable data_cv_, space_cv_;
    std::map<uint64_t, uint64_t> segments_;  // start -> end (end of the active one is end_)
    std::shared_ptr<SpoolFile> active_;
    uint64_t active_start_ = 0;
    std::atomic<uint64_t> end_{0};
    uint64_t synced_end_ = 0;
    uint64_t deletions_ = 0;  // segments deleted so far (wakes wait_for_space)
    bool torn_ = false;       // a failed write could not be cut back yet: cut before the next
    std::atomic<int> data_waiters_{0};
    std::atomic<bool> full_{false}, unblocked_{false}, write_failing_{false};
    std::atomic<int> write_errno_{0};
    std::atomic<uint64_t> full_events_{0};
    std::vector<SpoolRepair> repairs_;
    std::string buffer_;
};

}  // namespace iotctl::ingest
