#include "core/base/line_reader.h"

#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace iotctl::base {

LineReader::LineReader(int fd, size_t block) : fd_(fd), block_(block) {}

bool LineReader::next(std::string_view& line) {
    size_t scan_from = start_;
    while (true) {
        size_t nl = buf_.find('\n', scan_from);
        if (nl != std::string::npos) {
            line = std::string_view(buf_).substr(start_, nl - start_);
            start_ = nl + 1;
            return true;
        }
        if (eof_) {
            if (start_ < buf_.size()) {
                line = std::string_view(buf_).substr(start_);
                start_ = buf_.size();
                return true;
            }
            return false;
        }
        // Drop consumed bytes, then read another block after what is left of the current line.
        buf_.erase(0, start_);
        scan_from = buf_.size();
        start_ = 0;
        size_t old = buf_.size();
        buf_.resize(old + block_);
        ssize_t n;
        do {
            n = ::read(fd_, buf_.data() + old, block_);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            error_ = std::strerror(errno);
            buf_.resize(old);
            return false;
        }
        buf_.resize(old + n);
        if (n == 0) eof_ = true;
    }
}

}  // namespace iotctl::base
