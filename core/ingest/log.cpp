#include "core/ingest/log.h"

#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "core/base/message.h"
#include "core/base/private_file.h"
#include "core/base/timestamps.h"

namespace iotctl::ingest {

namespace {
const char* level_name(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "DEBUG";
        case LogLevel::info:
            return "INFO";
        case LogLevel::warn:
            return "WARN";
        case LogLevel::error:
            return "ERROR";
    }
    return "INFO";
}
}  // namespace

std::string mask_credentials(std::string_view text) {
    std::string out;
    size_t pos = 0;
    while (true) {
        size_t scheme = text.find("://", pos);
        if (scheme == std::string_view::npos) break;
        size_t host_start = scheme + 3;
        size_t stop = text.find_first_of("/ \t\"'", host_start);
        size_t at = text.rfind('@', stop == std::string_view::npos ? text.size() : stop);
        out.append(text.substr(pos, host_start - pos));
        if (at != std::string_view::npos && at >= host_start) {
            out.append("***");
            pos = at;
        } else {
            pos = host_start;
        }
    }
    out.append(text.substr(pos));
    return out;
}

base::Result<std::unique_ptr<IngestLog>> IngestLog::open(const std::string& path) {
    std::unique_ptr<IngestLog> log(new IngestLog(path));
    if (!path.empty()) {
        auto fd = base::open_private_append(path, "log file");
        if (!fd) return fd.error();
        log->fd_ = *fd;
    }
    return log;
}

IngestLog::~IngestLog() {
    if (fd_ > 2) ::close(fd_);
}

void IngestLog::write(LogLevel level, std::string_view text) {
    std::string line = fmt::format("{} {} {}\n", base::iso8601_utc(base::now_ns(), 3),
                                   level_name(level), mask_credentials(text));
    std::lock_guard lock(mutex_);
    [[maybe_unused]] auto n = ::write(fd_, line.data(), line.size());
}

base::Status IngestLog::reopen() {
    if (path_.empty()) return {};
    auto fd = base::open_private_append(path_, "log file");
    if (!fd) return fd.error();
    std::lock_guard lock(mutex_);
    if (fd_ > 2) ::close(fd_);
    fd_ = *fd;
    return {};
}

}  // namespace iotctl::ingest
