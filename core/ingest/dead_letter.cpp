#include "core/ingest/dead_letter.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "core/base/payload.h"
#include "core/base/timestamps.h"

namespace iotctl::ingest {

namespace {
base::Result<int> open_append(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return base::runtime_error(
            fmt::format("cannot open dead-letter file {}: {}", path, std::strerror(errno)));
    return fd;
}
}  // namespace

std::string dead_letter_line(const base::Message& message, const std::string& reason) {
    // Written piece by piece into one buffer sized up front: a payload of any size is copied
    // once (escaped or base64), never into a JSON document first.
    std::string head = "{\"ts\":\"" + base::iso8601_utc(message.ts_ns, 6) + "\",\"topic\":";
    base::append_json_string(head, message.topic);
    head += ",\"payload\":";
    const bool text = base::is_valid_utf8(message.payload);
    std::string tail = text ? "" : ",\"payload_encoding\":\"base64\"";
    tail += ",\"reason\":";
    base::append_json_string(tail, reason);
    tail += "}\n";
    size_t payload_size =
        text ? base::json_string_size(message.payload) : (message.payload.size() + 2) / 3 * 4 + 2;
    std::string line;
    line.reserve(head.size() + payload_size + tail.size());
    line += head;
    if (text) {
        base::append_json_string(line, message.payload);
    } else {
        line += '"';
        base::append_base64(line, message.payload);
        line += '"';
    }
    line += tail;
    return line;
}

base::Result<std::unique_ptr<DeadLetterFile>> DeadLetterFile::open(const std::string& path) {
    std::unique_ptr<DeadLetterFile> file(new DeadLetterFile(path));
    if (!path.empty()) {
        auto fd = open_append(path);
        if (!fd) return fd.error();
        file->fd_ = *fd;
    }
    return file;
}

DeadLetterFile::~DeadLetterFile() {
    if (fd_ >= 0) ::close(fd_);
}

base::Status DeadLetterFile::write(const base::Message& message, const std::string& reason) {
    count_.fetch_add(1);
    if (path_.empty()) return {};
    std::string line = dead_letter_line(message, reason);
    std::lock_guard lock(mutex_);
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(fd_, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return base::runtime_error(
                fmt::format("cannot write dead-letter file {}: {}", path_, std::strerror(errno)));
        p += n;
        left -= static_cast<size_t>(n);
    }
    return {};
}

base::Status DeadLetterFile::reopen() {
    if (path_.empty()) return {};
    auto fd = open_append(path_);
    if (!fd) return fd.error();
    std::lock_guard lock(mutex_);
    ::close(fd_);
    fd_ = *fd;
    return {};
}

}  // namespace iotctl::ingest
