#include "core/ingest/spool.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace iotctl::ingest {

namespace fs = std::filesystem;

namespace {
constexpr size_t k_copied_payload = 64 * 1024;  // payloads up to this go out in one write

std::string errno_text(int err = errno) {
    return std::strerror(err);
}

/// The whole file (segments are at most segment_bytes); empty when it cannot be read.
std::string read_file(const std::string& path) {
    std::string data;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return data;
    char chunk[1 << 16];
    ssize_t n;
    while ((n = ::read(fd, chunk, sizeof chunk)) > 0) data.append(chunk, static_cast<size_t>(n));
    ::close(fd);
    return data;
}
}  // namespace

SpoolFile::~SpoolFile() {
    if (fd >= 0) disk.close(fd);
}

std::string Spool::seed_path() const {
    return dir_ + "/redelivery.seed";
}

std::string Spool::segment_path(uint64_t start) const {
    return fmt::format("{}/{:020}.seg", dir_, start);
}

base::Result<std::unique_ptr<Spool>> Spool::open(
    const std::string& dir, const SpoolOptions& options, uint64_t start_at,
    const std::function<void(const base::Message&)>& visit) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return base::runtime_error(
            fmt::format("cannot create spool directory {}: {}", dir, ec.message()));
    std::unique_ptr<Spool> spool(new Spool(dir, options));
    std::vector<uint64_t> starts;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        auto name = e.path().filename().string();
        if (name.size() == 24 && name.ends_with(".seg"))
            starts.push_back(std::stoull(name.substr(0, 20)));
    }
    if (ec)
        return base::runtime_error(
            fmt::format("cannot read spool directory {}: {}", dir, ec.message()));
    std::sort(starts.begin(), starts.end());
    for (size_t i = 0; i + 1 < starts.size(); ++i) {
        uint64_t size = fs::file_size(spool->segment_path(starts[i]), ec);
        // A sealed segment never reaches into the next one (a file longer than that holds bytes
        // past its last record, which readers must not see twice).
        spool->segments_[starts[i]] = std::min(starts[i] + (ec ? 0 : size), starts[i + 1]);
    }
    if (visit) {
        // The newest segment a caught-up release gave back (see release()): older than the last
        // segment's records, so visited first.
        std::string seed = read_file(spool->seed_path());
        (void)scan_spool_records(seed.data(), seed.size(), visit);
    }
    auto opened = starts.empty() ? spool->open_active(start_at, false)
                                 : spool->open_last(starts.back(), visit);
    if (!opened) return opened.error();
    spool->synced_end_ = spool->end_;
    return spool;
}

base::Status Spool::open_last(uint64_t start,
                              const std::function<void(const base::Message&)>& visit) {
    const std::string path = segment_path(start);
    std::string data = read_file(path);
    SegmentScan scan = scan_spool_records(data.data(), data.size(), visit);
    if (scan.whole_end < data.size()) {
        // Cut what follows the last whole record (a write torn by a power cut), so appends
        // continue on a clean boundary.
        int fd = disk_.open(path, O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0 || disk_.truncate(fd, scan.whole_end) != 0) {
            auto why = errno_text();
            if (fd >= 0) disk_.close(fd);
            return base::runtime_error(fmt::format("cannot repair spool {}: {}", path, why));
        }
        disk_.close(fd);
    }
    bool records_follow = false;
    for (auto& drop : scan.drops) {
        bool follow = drop.offset + drop.bytes <= scan.whole_end;
        records_follow = records_follow || follow;
        repairs_.push_back({path, std::move(drop), follow});
    }
    if (!records_follow) {
        if (auto s = open_active(start, true); !s) return s;
        end_ = start + scan.whole_end;
        return {};
    }
    // Bad bytes with whole records after them: seal the segment as it is (readers skip the bad
    // bytes and read on) and continue in a new one, so positions already handed out stay valid.
    segments_[start] = start + scan.whole_end;
    return open_active(start + scan.whole_end, false);
}

base::Status Spool::open_active(uint64_t start, bool existing) {
    std::string path = segment_path(start);
    int fd = disk_.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        write_errno_ = errno;
        return base::runtime_error(
            fmt::format("cannot open spool {}: {}", path, errno_text(write_errno_)));
    }
    active_ = std::make_shared<SpoolFile>(disk_, fd);
    active_start_ = start;
    segments_[start] = 0;
    if (!existing) end_ = start;
    return {};
}

base::Status Spool::seal_active(bool sync_sealed) {
    uint64_t end = end_.load();
    auto sealed = active_;
    uint64_t sealed_start = active_start_;
    if (auto s = open_active(end, false); !s) return s;  // the old one stays active
    segments_[sealed_start] = end;
    if (sync_sealed) disk_.sync(sealed->fd);  // once; the timer syncs the active one
    return {};
}

base::Status Spool::write_failed(std::string why, int err) {
    write_errno_ = err;
    write_failing_ = true;
    return base::runtime_error(std::move(why));
}

base::Status Spool::write_whole(std::string_view head, std::string_view tail) {
    const uint64_t whole = end_.load() - active_start_;  // the file up to its last whole record
    const std::string path = segment_path(active_start_);
    const size_t size = head.size() + tail.size();
    size_t done = 0;
    while (done < size) {
        std::string_view part =
            done < head.size() ? head.substr(done) : tail.substr(done - head.size());
        ssize_t n = disk_.write(active_->fd, part.data(), part.size());
        if (n > 0) {
            done += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        int err = n < 0 ? errno : ENOSPC;  // 0 bytes for a non-empty write: no room either
        auto why = fmt::format("cannot write spool {}: {}", path, errno_text(err));
        if (done == 0) return write_failed(why, err);
        // Never leave part of a record behind: the next one would follow it and every reader
        // would stop at it. O_APPEND puts the next write at the new end.
        if (disk_.truncate(active_->fd, whole) != 0) {
            torn_ = true;
            auto cut_error = errno_text();
            return write_failed(fmt::format("{} ({} of {} bytes written; cutting them failed: "
                                            "{}; tried again before the next write)",
                                            why, done, size, cut_error),
                                err);
        }
        return write_failed(fmt::format("{} ({} of {} bytes written, cut back to the last whole "
                                        "record)",
                                        why, done, size),
                            err);
    }
    return {};
}

base::Status Spool::append(const base::Message& message) {
    std::unique_lock lock(mutex_);
    // A small payload goes into the same buffer (one write); a large one is written from the
    // message itself, so it is never copied.
    encode_spool_head(message, buffer_);
    std::string_view tail = message.payload;
    if (tail.size() <= k_copied_payload) {
        buffer_ += tail;
        tail = {};
    }
    const uint64_t max = options_.max_bytes;
    if (end_ - segments_.begin()->first >= max && !unblocked_) {
        full_ = true;
        full_events_.fetch_add(1);
        // Not returning means Paho sends no PUBACK and reads no more; the broker keeps the
        // messages until sinks catch up and segments are deleted.
        space_cv_.wait(lock, [&] { return end_ - segments_.begin()->first < max || unblocked_; });
        full_ = false;
    }
    if (torn_) {
        if (disk_.truncate(active_->fd, end_ - active_start_) != 0) {
            int err = errno;
            return write_failed(fmt::format("cannot cut spool {} back to its last whole record: {}",
                                            segment_path(active_start_), errno_text(err)),
                                err);
        }
        torn_ = false;
    }
    if (end_ - active_start_ >= options_.segment_bytes) {
        if (auto s = seal_active(true); !s) return write_failed(s.error().message, write_errno_);
    }
    if (auto s = write_whole(buffer_, tail); !s) return s;
    write_failing_ = false;
    end_.store(end_.load() + buffer_.size() + tail.size(), std::memory_order_release);
    if (data_waiters_.load() > 0) data_cv_.notify_all();
    return {};
}

base::Status Spool::sync() {
    std::shared_ptr<SpoolFile> file;
    uint64_t end;
    {
        std::lock_guard lock(mutex_);
        file = active_;
        end = end_;
    }
    if (end == synced_end_) return {};
    if (disk_.sync(file->fd) != 0)
        return base::runtime_error(fmt::format("fdatasync of spool failed: {}", errno_text()));
    synced_end_ = end;
    return {};
}

void Spool::release(uint64_t position) {
    std::lock_guard lock(mutex_);
    uint64_t end = end_.load();
    uint64_t active_size = end - active_start_;
    if (position >= end && active_size > 0 && !torn_ &&
        (active_size >= options_.reclaim_bytes || write_failing_)) {
        // Every reader has everything: seal the active segment so the loop below deletes it. A
        // failed open leaves it active; the next release tries again.
        (void)seal_active(false);
    }
    bool freed = false;
    for (auto it = segments_.begin(); it != segments_.end() && it->first != active_start_;) {
        if (it->second > position) break;
        // The newest records seed the next run's redelivery filter (open() visits them): the
        // segment just before the active one is kept as the seed file instead of deleted, when
        // it is small (a caught-up spool seals at reclaim_bytes) and the disk is not failing.
        const bool newest =
            std::next(it) != segments_.end() && std::next(it)->first == active_start_;
        const bool kept = newest && it->second - it->first <= k_seed_max_bytes && !write_failing_ &&
                          disk_.rename(segment_path(it->first), seed_path()) == 0;
        if (!kept) disk_.remove(segment_path(it->first));
        it = segments_.erase(it);
        freed = true;
    }
    if (freed) {
        ++deletions_;
        space_cv_.notify_all();
    }
}

void Spool::unblock() {
    std::lock_guard lock(mutex_);
    unblocked_ = true;
    space_cv_.notify_all();
}

bool Spool::wait_for_space(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    uint64_t before = deletions_;
    return space_cv_.wait_for(lock, timeout, [&] { return deletions_ != before; });
}

uint64_t Spool::begin() const {
    std::lock_guard lock(mutex_);
    return segments_.begin()->first;
}

bool Spool::wait_for_data(uint64_t position, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    data_waiters_.fetch_add(1);
    bool has = data_cv_.wait_for(lock, timeout, [&] { return end_ > position; });
    data_waiters_.fetch_sub(1);
    return has;
}

void Spool::wake_readers() {
    std::lock_guard lock(mutex_);
    data_cv_.notify_all();
}

bool Spool::locate(uint64_t position, Segment& out) const {
    std::lock_guard lock(mutex_);
    auto it = segments_.upper_bound(position);
    if (it != segments_.begin()) {
        --it;
        if (it->second != 0 && position >= it->second) ++it;  // past a sealed segment
    }
    if (it == segments_.end()) return false;
    out.path = segment_path(it->first);
    out.start = it->first;
    out.end = it->second;
    return true;
}

}  // namespace iotctl::ingest
