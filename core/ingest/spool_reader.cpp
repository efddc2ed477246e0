#include "core/ingest/spool_reader.h"

#include <algorithm>

#include <fcntl.h>
#include <unistd.h>

namespace iotctl::ingest {

namespace {
constexpr size_t k_chunk = 1 << 20;
}

SpoolReader::SpoolReader(const Spool& spool, uint64_t position)
    : spool_(spool), position_(std::min(position, spool.end())) {}

SpoolReader::~SpoolReader() {
    if (fd_ >= 0) ::close(fd_);
}

bool SpoolReader::open_segment() {
    Spool::Segment seg;
    if (!spool_.locate(position_, seg)) return false;
    if (fd_ >= 0 && seg.start == segment_.start) {
        segment_.end = seg.end;  // the active segment may have been sealed meanwhile
        return true;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return false;
    if (seg.start > position_) {
        skipped_ += seg.start - position_;  // that data was deleted or never written
        position_ = seg.start;
    }
    segment_ = seg;
    buffer_.clear();
    buffer_start_ = position_;
    return true;
}

void SpoolReader::close_passed_segment() {
    if (fd_ < 0) return;
    Spool::Segment seg;
    if (spool_.locate(position_, seg) && seg.start == segment_.start) return;
    // The segment was sealed behind this reader (and may be deleted): holding it open would
    // keep its disk space in use until more data arrives, which a full disk never lets happen.
    ::close(fd_);
    fd_ = -1;
    buffer_.clear();
}

bool SpoolReader::fill(size_t want, uint64_t limit) {
    // Keep what is buffered from position_ on, then read more after it.
    if (position_ < buffer_start_ || position_ > buffer_start_ + buffer_.size()) {
        buffer_.clear();
        buffer_start_ = position_;
    } else {
        buffer_.erase(0, position_ - buffer_start_);
        buffer_start_ = position_;
    }
    uint64_t have_to = buffer_start_ + buffer_.size();
    if (have_to >= limit) return false;
    size_t n = static_cast<size_t>(std::min<uint64_t>(std::max(want, k_chunk), limit - have_to));
    size_t old = buffer_.size();
    buffer_.resize(old + n);
    ssize_t got =
        ::pread(fd_, buffer_.data() + old, n, static_cast<off_t>(have_to - segment_.start));
    buffer_.resize(old + (got > 0 ? static_cast<size_t>(got) : 0));
    return got > 0;
}

size_t SpoolReader::read(std::vector<SpoolEntry>& out, size_t max_entries, size_t max_bytes) {
    size_t added = 0, bytes = 0;
    while (added < max_entries && bytes < max_bytes) {
        uint64_t end = spool_.end();
        if (position_ >= end) {
            close_passed_segment();
            break;
        }
        if (!open_segment()) break;
        uint64_t limit = segment_.end ? segment_.end : end;
        if (position_ >= limit) {
            // Sealed and fully read: move to the next segment.
            position_ = segment_.end;
            continue;
        }
        size_t offset = static_cast<size_t>(position_ - buffer_start_);
        bool in_buffer = position_ >= buffer_start_ && position_ < buffer_start_ + buffer_.size();
        SpoolEntry entry;
        int64_t used = in_buffer ? decode_spool_record(buffer_.data() + offset,
                                                       buffer_.size() - offset, entry.message)
                                 : 0;
        if (used == 0) {
            size_t want = buffer_.size() - (in_buffer ? offset : buffer_.size()) + 1;
            if (fill(std::max<size_t>(want * 2, k_chunk), limit)) continue;
            if (segment_.end == 0) break;  // the rest is still being written
            used = -1;                     // a sealed segment ends in a torn record
        }
        if (used < 0) {
            // Bad bytes in a sealed segment (a torn write an earlier version left, or damage):
            // move on byte by byte to the next whole record; the caller logs what was skipped.
            if (segment_.end == 0) break;
            ++skipped_;
            ++position_;
            continue;
        }
        entry.offset = position_;
        entry.next = position_ + static_cast<uint64_t>(used);
        position_ = entry.next;
        bytes += entry.message.payload.size() + entry.message.topic.size();
        out.push_back(std::move(entry));
        ++added;
    }
    // A buffer grown by a huge record is freed once it is read: its message holds the bytes.
    if (buffer_.capacity() > 4 * k_chunk && position_ >= buffer_start_ + buffer_.size()) {
        std::string().swap(buffer_);
        buffer_start_ = position_;
    }
    return added;
}

}  // namespace iotctl::ingest
