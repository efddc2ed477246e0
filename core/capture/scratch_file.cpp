#include "core/capture/scratch_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace iotctl::capture {

namespace {
constexpr size_t k_read_chunk = 1 << 20;

base::Error spool_error(const char* what) {
    return base::runtime_error(
        fmt::format("temporary file: {} failed: {}", what, std::strerror(errno)));
}
}  // namespace

base::Result<RowSpool> RowSpool::create() {
    const char* dir = std::getenv("TMPDIR");
    std::string path = std::string(dir && *dir ? dir : "/tmp") + "/iotctl-spool-XXXXXX";
    int fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) return spool_error(fmt::format("creating it in '{}'", path).c_str());
    ::unlink(path.c_str());
    return RowSpool(fd);
}

RowSpool::RowSpool(RowSpool&& other) noexcept : fd_(other.fd_), size_(other.size_) {
    other.fd_ = -1;
}

RowSpool::~RowSpool() {
    if (fd_ >= 0) ::close(fd_);
}

base::Status RowSpool::append(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return spool_error("writing");
        bytes.remove_prefix(static_cast<size_t>(n));
        size_ += static_cast<uint64_t>(n);
    }
    return {};
}

base::Status RowSpool::read_from(uint64_t offset,
                                 const std::function<void(std::string_view)>& out) const {
    std::vector<char> buf(k_read_chunk);
    while (offset < size_) {
        ssize_t n = ::pread(fd_, buf.data(), buf.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return spool_error("reading");
        out(std::string_view(buf.data(), static_cast<size_t>(n)));
        offset += static_cast<uint64_t>(n);
    }
    return {};
}

}  // namespace iotctl::capture
