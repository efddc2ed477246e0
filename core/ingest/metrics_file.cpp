#include "core/ingest/metrics_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace iotctl::ingest {

base::Status replace_file(const std::string& path, const std::string& text, mode_t mode) {
    const std::string tmp = path + ".tmp";
    auto failed = [&](const char* what) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return base::runtime_error(
            fmt::format("cannot write {} ({} failed): {}", path, what, std::strerror(err)));
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return failed("open");
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return failed("write");
        }
        done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) return failed("write");
    if (::rename(tmp.c_str(), path.c_str()) != 0) return failed("rename");
    return {};
}

}  // namespace iotctl::ingest
