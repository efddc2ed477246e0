// Reads a spool back in order from a position, in batches, one reader per sink thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ingest/spool.h"

namespace iotctl::ingest {

/// One sequential reader of a Spool; not thread-safe (one per sink thread).
class SpoolReader {
  public:
    /// Starts reading at `position` (clamped to what is on disk).
    SpoolReader(const Spool& spool, uint64_t position);
    ~SpoolReader();
    SpoolReader(const SpoolReader&) = delete;
    SpoolReader& operator=(const SpoolReader&) = delete;

    /// Appends up to `max_entries` entries (and about `max_bytes` of payload) that are on disk
    /// now to `out`; returns how many it appended (0 when the reader is at the end).
    size_t read(std::vector<SpoolEntry>& out, size_t max_entries, size_t max_bytes);
    /// Position of the next record to read.
    uint64_t position() const { return position_; }
    /// Bytes skipped over because a sealed segment held bad bytes (logged by the caller).
    uint64_t skipped_bytes() const { return skipped_; }

  private:
    bool open_segment();
    void close_passed_segment();
    bool fill(size_t want, uint64_t limit);

    const Spool& spool_;
    uint64_t position_;
    Spool::Segment segment_;
    int fd_ = -1;
    std::string buffer_;
    uint64_t buffer_start_ = 0;  // position of buffer_[0]
    uint64_t skipped_ = 0;
};

}  // namespace iotctl::ingest
