#include "core/ingest/spool_disk.h"

#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

namespace iotctl::ingest {

namespace {
class PosixDisk final : public SpoolDisk {
  public:
    int open(const std::string& path, int flags, mode_t mode) override {
        return ::open(path.c_str(), flags, mode);
    }
    ssize_t write(int fd, const char* data, size_t size) override {
        return ::write(fd, data, size);
    }
    int truncate(int fd, uint64_t length) override {
        return ::ftruncate(fd, static_cast<off_t>(length));
    }
    int sync(int fd) override { return ::fdatasync(fd); }
    int close(int fd) override { return ::close(fd); }
    int rename(const std::string& from, const std::string& to) override {
        return std::rename(from.c_str(), to.c_str());
    }
    int remove(const std::string& path) override { return ::unlink(path.c_str()); }
};
}  // namespace

SpoolDisk& posix_disk() {
    static PosixDisk disk;
    return disk;
}

}  // namespace iotctl::ingest
