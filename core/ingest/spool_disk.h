// The file operations the spool and the checkpoints write through, behind a small interface (as
// ninja's DiskInterface): the real POSIX calls in ingest, a fake in unit tests that makes write()
// fail with ENOSPC or return short counts, so disk-full handling can be tested without a full disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <sys/types.h>

namespace iotctl::ingest {

/// File writes of the spool and checkpoints; each call behaves as its POSIX namesake (-1 and
/// errno on failure).
class SpoolDisk {
  public:
    virtual ~SpoolDisk() = default;
    /// open(2): a descriptor, or -1 with errno set.
    virtual int open(const std::string& path, int flags, mode_t mode) = 0;
    /// write(2): the bytes written, possibly fewer than `size`, or -1 with errno set.
    virtual ssize_t write(int fd, const char* data, size_t size) = 0;
    /// ftruncate(2): cuts (or extends) the file to `length` bytes.
    virtual int truncate(int fd, uint64_t length) = 0;
    /// fdatasync(2): the file's data is on the device when this returns 0.
    virtual int sync(int fd) = 0;
    /// close(2).
    virtual int close(int fd) = 0;
    /// rename(2): atomically replaces `to`.
    virtual int rename(const std::string& from, const std::string& to) = 0;
    /// unlink(2).
    virtual int remove(const std::string& path) = 0;
};

/// The real file system: the POSIX calls themselves (one process-wide instance).
SpoolDisk& posix_disk();

}  // namespace iotctl::ingest
