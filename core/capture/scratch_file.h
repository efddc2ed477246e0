// An unlinked temporary file that text is appended to and later read back in chunks: it keeps
// the output of a long export off the heap (memory stays constant for any capture size).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/base/error.h"

namespace iotctl::capture {

/// Append-then-read scratch file in $TMPDIR (or /tmp), removed from the directory at once.
class RowSpool {
  public:
    /// Creates the file; error when it cannot be created.
    static base::Result<RowSpool> create();
    RowSpool(RowSpool&& other) noexcept;
    RowSpool& operator=(RowSpool&&) = delete;
    RowSpool(const RowSpool&) = delete;
    ~RowSpool();

    /// Appends bytes at the end; error when the write fails (e.g. the disk is full).
    base::Status append(std::string_view bytes);
    /// Bytes appended so far.
    uint64_t size() const { return size_; }
    /// Hands the bytes from `offset` to the end to `out`, in chunks of about 1 MiB.
    base::Status read_from(uint64_t offset, const std::function<void(std::string_view)>& out) const;

  private:
    explicit RowSpool(int fd) : fd_(fd) {}
    int fd_ = -1;
    uint64_t size_ = 0;
};

}  // namespace iotctl::capture
