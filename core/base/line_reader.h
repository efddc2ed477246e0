// Reads lines of any length from a file descriptor in large blocks, in constant memory per line.
#pragma once

#include <string>
#include <string_view>

namespace iotctl::base {

/// Splits a byte stream at '\n'; a last line without a newline is still returned.
class LineReader {
  public:
    /// Reads from `fd` (not closed at the end).
    explicit LineReader(int fd, size_t block = 1 << 16);
    /// Sets `line` to the next line without its '\n'; false at end of input or on error.
    bool next(std::string_view& line);
    /// True when reading failed (not merely ended).
    bool failed() const { return !error_.empty(); }
    /// The read error, if any.
    const std::string& error() const { return error_; }

  private:
    int fd_;
    size_t block_;
    std::string buf_;
    size_t start_ = 0;
    bool eof_ = false;
    std::string error_;
};

}  // namespace iotctl::base
