#include "core/ingest/dead_letter.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "core/base/payload.h"
#include "core/base/private_file.h"
#include "core/base/timestamps.h"

namespace iotctl::ingest {

namespace {
constexpr int k_write_attempts = 4;                     // a write and three retries
constexpr std::chrono::milliseconds k_first_retry{50};  // then 100 ms, 200 ms

// A dead letter as one JSON object, the payload base64 when `base64` or when not UTF-8. Written
// piece by piece into one buffer sized up front: a payload of any size is copied once (escaped
// or base64), never into a JSON document first.
std::string letter_json(const base::Message& message, const std::string& reason, bool base64) {
    std::string head = "{\"ts\":\"" + base::iso8601_utc(message.ts_ns, 6) + "\",\"topic\":";
    base::append_json_string(head, message.topic);
    head += ",\"payload\":";
    const bool text = !base64 && base::is_valid_utf8(message.payload);
    std::string tail = text ? "" : ",\"payload_encoding\":\"base64\"";
    tail += ",\"reason\":";
    base::append_json_string(tail, reason);
    tail += "}";
    size_t payload_size =
        text ? base::json_string_size(message.payload) : (message.payload.size() + 2) / 3 * 4 + 2;
    std::string line;
    line.reserve(head.size() + payload_size + tail.size() + 1);
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

// Writes `left` to `fd`, advancing it past what was written; 0 when all of it was, else errno.
int write_all(int fd, std::string_view& left) {
    while (!left.empty()) {
        ssize_t n = ::write(fd, left.data(), left.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        left.remove_prefix(static_cast<size_t>(n));
    }
    return 0;
}
}  // namespace

std::string dead_letter_line(const base::Message& message, const std::string& reason) {
    std::string line = letter_json(message, reason, false);  // reserved room for the newline
    line += '\n';
    return line;
}

std::string dead_letter_log_text(const base::Message& message, const std::string& reason) {
    return letter_json(message, reason, true);
}

base::Result<std::unique_ptr<DeadLetterFile>> DeadLetterFile::open(const std::string& path) {
    std::unique_ptr<DeadLetterFile> file(new DeadLetterFile(path));
    if (!path.empty()) {
        auto fd = base::open_private_append(path, "dead-letter file");
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
    std::lock_guard lock(mutex_);
    // After a line was cut short the file ends mid-line: this one starts on a new line.
    const std::string line = (torn_ ? "\n" : "") + dead_letter_line(message, reason);
    std::string_view left = line;
    const int attempts = failing_ ? 1 : k_write_attempts;
    auto wait = k_first_retry;
    int error = 0;
    for (int attempt = 1;; ++attempt) {
        error = write_all(fd_, left);  // a retry goes on from where the last attempt stopped
        if (error == 0) {
            torn_ = failing_ = false;
            return {};
        }
        if (attempt == attempts) break;
        std::this_thread::sleep_for(wait);
        wait *= 2;
    }
    const size_t written = line.size() - left.size();
    if (written > 0) torn_ = line[written - 1] != '\n';
    failing_ = true;  // until a write succeeds, later letters are tried once
    return base::runtime_error(fmt::format("cannot write dead-letter file {}: {} ({})", path_,
                                           std::strerror(error),
                                           attempts > 1 ? fmt::format("tried {} times", attempts)
                                                        : std::string("failing, tried once")));
}

base::Status DeadLetterFile::reopen() {
    if (path_.empty()) return {};
    auto fd = base::open_private_append(path_, "dead-letter file");
    if (!fd) return fd.error();
    std::lock_guard lock(mutex_);
    ::close(fd_);
    fd_ = *fd;
    torn_ = failing_ = false;  // a new file
    return {};
}

}  // namespace iotctl::ingest
