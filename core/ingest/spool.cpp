#include "core/ingest/spool.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace iotctl::ingest {

namespace fs = std::filesystem;

namespace {
constexpr size_t k_header = 8;                  // u32 body length, u32 crc32 of the body
constexpr size_t k_fixed_body = 8 + 1 + 1 + 4;  // ts_ns, qos, retain, topic length
constexpr uint32_t k_max_body = 512u << 20;     // larger than any MQTT message

template <typename T>
void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
T get(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::string errno_text() {
    return std::strerror(errno);
}

base::Status write_all(int fd, const char* data, size_t size, const std::string& path) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return base::runtime_error(
                fmt::format("cannot write spool {}: {}", path, errno_text()));
        data += n;
        size -= static_cast<size_t>(n);
    }
    return {};
}

/// Length of the valid records at the start of a segment file (a torn tail is not counted).
uint64_t valid_length(const std::string& path) {
    std::string data;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char chunk[1 << 16];
    ssize_t n;
    while ((n = ::read(fd, chunk, sizeof chunk)) > 0) data.append(chunk, static_cast<size_t>(n));
    ::close(fd);
    uint64_t pos = 0;
    base::Message scratch;
    while (pos < data.size()) {
        int64_t used = decode_spool_record(data.data() + pos, data.size() - pos, scratch);
        if (used <= 0) break;
        pos += static_cast<uint64_t>(used);
    }
    return pos;
}
}  // namespace

SpoolFile::~SpoolFile() {
    if (fd >= 0) ::close(fd);
}

void encode_spool_record(const base::Message& m, std::string& out) {
    out.clear();
    out.resize(k_header);
    put<int64_t>(out, m.ts_ns);
    put<uint8_t>(out, static_cast<uint8_t>(m.qos));
    put<uint8_t>(out, m.retain ? 1 : 0);
    put<uint32_t>(out, static_cast<uint32_t>(m.topic.size()));
    out += m.topic;
    out += m.payload;
    uint32_t body = static_cast<uint32_t>(out.size() - k_header);
    uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(out.data() + k_header), body));
    std::memcpy(out.data(), &body, 4);
    std::memcpy(out.data() + 4, &crc, 4);
}

int64_t decode_spool_record(const char* data, size_t size, base::Message& out) {
    if (size < k_header) return 0;
    uint32_t body = get<uint32_t>(data);
    uint32_t crc = get<uint32_t>(data + 4);
    if (body < k_fixed_body || body > k_max_body) return -1;
    if (size < k_header + body) return 0;
    const char* b = data + k_header;
    if (static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(b), body)) != crc) return -1;
    uint32_t topic_len = get<uint32_t>(b + 10);
    if (topic_len > body - k_fixed_body) return -1;
    out.ts_ns = get<int64_t>(b);
    out.qos = static_cast<uint8_t>(b[8]);
    out.retain = b[9] != 0;
    out.topic.assign(b + k_fixed_body, topic_len);
    out.payload.assign(b + k_fixed_body + topic_len, body - k_fixed_body - topic_len);
    return static_cast<int64_t>(k_header + body);
}

std::string Spool::segment_path(uint64_t start) const {
    return fmt::format("{}/{:020}.seg", dir_, start);
}

base::Result<std::unique_ptr<Spool>> Spool::open(const std::string& dir,
                                                 const SpoolOptions& options, uint64_t start_at) {
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
    for (size_t i = 0; i + 1 < starts.size(); ++i)
        spool->segments_[starts[i]] = starts[i] + fs::file_size(spool->segment_path(starts[i]), ec);
    if (starts.empty()) {
        if (auto s = spool->open_active(start_at, false); !s) return s.error();
    } else {
        uint64_t last = starts.back();
        uint64_t valid = valid_length(spool->segment_path(last));
        // Cut a torn record (power cut mid-write) so appends continue on a clean boundary.
        if (::truncate(spool->segment_path(last).c_str(), static_cast<off_t>(valid)) != 0)
            return base::runtime_error(
                fmt::format("cannot repair spool {}: {}", spool->segment_path(last), errno_text()));
        if (auto s = spool->open_active(last, true); !s) return s.error();
        spool->end_ = last + valid;
    }
    spool->synced_end_ = spool->end_;
    return spool;
}

base::Status Spool::open_active(uint64_t start, bool existing) {
    std::string path = segment_path(start);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return base::runtime_error(fmt::format("cannot open spool {}: {}", path, errno_text()));
    active_ = std::make_shared<SpoolFile>(fd);
    active_start_ = start;
    segments_[start] = 0;
    if (!existing) end_ = start;
    return {};
}

base::Status Spool::append(const base::Message& message) {
    std::unique_lock lock(mutex_);
    encode_spool_record(message, buffer_);
    const uint64_t max = options_.max_bytes;
    if (end_ - segments_.begin()->first >= max && !unblocked_) {
        full_ = true;
        full_events_.fetch_add(1);
        // Last resort: not returning means Paho sends no PUBACK and reads no more; the broker
        // keeps the messages until sinks catch up and segments are deleted.
        space_cv_.wait(lock, [&] { return end_ - segments_.begin()->first < max || unblocked_; });
        full_ = false;
    }
    uint64_t end = end_.load();
    if (end - active_start_ >= options_.segment_bytes) {
        segments_[active_start_] = end;
        auto sealed = active_;
        if (auto s = open_active(end, false); !s) return s;
        ::fdatasync(sealed->fd);  // a sealed segment is synced once; the timer syncs the active one
    }
    if (auto s =
            write_all(active_->fd, buffer_.data(), buffer_.size(), segment_path(active_start_));
        !s)
        return s;
    end_.store(end + buffer_.size(), std::memory_order_release);
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
    if (::fdatasync(file->fd) != 0)
        return base::runtime_error(fmt::format("fdatasync of spool failed: {}", errno_text()));
    synced_end_ = end;
    return {};
}

void Spool::release(uint64_t position) {
    std::lock_guard lock(mutex_);
    bool freed = false;
    for (auto it = segments_.begin(); it != segments_.end() && it->first != active_start_;) {
        if (it->second > position) break;
        ::unlink(segment_path(it->first).c_str());
        it = segments_.erase(it);
        freed = true;
    }
    if (freed) space_cv_.notify_all();
}

void Spool::unblock() {
    std::lock_guard lock(mutex_);
    unblocked_ = true;
    space_cv_.notify_all();
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
