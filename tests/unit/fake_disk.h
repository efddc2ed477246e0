// A fake SpoolDisk for unit tests: the real file calls, on a "disk" of limited capacity, so a
// write can stop short or fail with ENOSPC the way it does on a full file system.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include <sys/stat.h>

#include "core/ingest/spool_disk.h"

namespace iotctl::test {

/// The files in directory `dir` live on a disk of `capacity` bytes: their sizes, plus those of
/// deleted files some descriptor of this process still holds (the kernel frees those only at
/// the last close), may not exceed it. A write that would cross it is cut short at the limit;
/// one that finds no room fails with ENOSPC.
class FakeDisk : public ingest::SpoolDisk {
  public:
    explicit FakeDisk(std::string d) : dir(std::move(d)) {}
    std::string dir;                        // the "mount point" of the small disk
    std::atomic<int64_t> capacity{-1};      // bytes; -1: unlimited
    std::atomic<int> truncate_failures{0};  // the next N truncate() calls fail with EIO
    std::atomic<int> short_writes{0};       // writes cut short so far
    std::atomic<int> failed_writes{0};      // writes that failed with ENOSPC so far

    int open(const std::string& path, int flags, mode_t mode) override {
        int fd = real().open(path, flags, mode);
        std::lock_guard lock(mutex_);
        if (fd >= 0) paths_[fd] = path;
        return fd;
    }
    ssize_t write(int fd, const char* data, size_t size) override {
        int64_t cap = capacity.load();
        if (cap < 0 || !limited(fd)) return real().write(fd, data, size);
        std::lock_guard lock(write_mutex_);
        int64_t room = cap - used();
        if (room <= 0) {
            failed_writes.fetch_add(1);
            errno = ENOSPC;
            return -1;
        }
        if (static_cast<uint64_t>(room) < size) {
            short_writes.fetch_add(1);
            size = static_cast<size_t>(room);
        }
        return real().write(fd, data, size);
    }
    int truncate(int fd, uint64_t length) override {
        if (truncate_failures.load() > 0) {
            truncate_failures.fetch_sub(1);
            errno = EIO;
            return -1;
        }
        return real().truncate(fd, length);
    }
    int sync(int fd) override { return real().sync(fd); }
    int close(int fd) override {
        {
            std::lock_guard lock(mutex_);
            paths_.erase(fd);
        }
        return real().close(fd);
    }
    int rename(const std::string& from, const std::string& to) override {
        return real().rename(from, to);
    }
    int remove(const std::string& path) override { return real().remove(path); }

    /// Bytes in use: the files in dir, and the deleted ones of dir still held open.
    int64_t used() const {
        int64_t total = 0;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec))
            if (e.is_regular_file(ec)) total += static_cast<int64_t>(e.file_size(ec));
        for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
            auto target = std::filesystem::read_symlink(e.path(), ec).string();
            struct stat st {};
            if (matches(target) && target.ends_with(" (deleted)") &&
                ::stat(e.path().c_str(), &st) == 0)
                total += st.st_size;
        }
        return total;
    }

  private:
    static ingest::SpoolDisk& real() { return ingest::posix_disk(); }
    bool matches(const std::string& path) const { return path.starts_with(dir + "/"); }
    bool limited(int fd) {
        std::lock_guard lock(mutex_);
        auto it = paths_.find(fd);
        return it != paths_.end() && matches(it->second);
    }

    std::mutex mutex_, write_mutex_;
    std::map<int, std::string> paths_;  // open descriptors and the files they were opened as
};

}  // namespace iotctl::test
