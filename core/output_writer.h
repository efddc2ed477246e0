// Writes rendered output to a file descriptor from its own thread, so MQTT callbacks never block
// on a slow terminal or pipe for long.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace iotctl {

/// A buffered writer with a background thread; append() only copies bytes under a lock.
class OutputWriter {
public:
    /// Starts the writer thread for `fd` (not closed at the end).
    explicit OutputWriter(int fd, size_t max_buffered = 64 << 20);
    /// Writes out everything appended, then stops the thread.
    ~OutputWriter();

    /// Queues bytes; waits only when more than max_buffered bytes are still unwritten.
    void append(std::string_view bytes);
    /// Writes out everything appended so far and stops the thread; idempotent.
    void close();
    /// True once a write failed (e.g. the reader of a pipe went away).
    bool failed() const;

private:
    void run();

    int fd_;
    size_t max_buffered_;
    mutable std::mutex mutex_;
    std::condition_variable ready_, drained_;
    std::string pending_;
    bool closing_ = false, failed_ = false, writer_busy_ = false;
    std::thread thread_;
};

}  // namespace iotctl
