// Writes rendered output to a file descriptor from its own thread, so MQTT callbacks never block
// on a slow terminal or pipe for long.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/base/error.h"

namespace iotctl::capture {

/// A buffered writer with a background thread; append() only copies bytes under a lock.
class OutputWriter {
  public:
    /// Starts the writer thread for `fd` (not closed at the end).
    explicit OutputWriter(int fd, size_t max_buffered = 64 << 20);
    /// Writes out everything appended, then stops the thread.
    ~OutputWriter();

    /// Queues bytes; waits only when more than max_buffered bytes are still unwritten.
    void append(std::string_view bytes);
    /// The same, but takes over the string's buffer when nothing is queued, so a large line is
    /// not copied; `bytes` is left empty.
    void append(std::string&& bytes);
    /// Queues one piece of a huge output (see OutputFormat::render_pieces): waits until less
    /// than k_piece_buffer is unwritten, so the pieces of one message are never all held at once.
    void append_piece(std::string_view piece);
    /// Writes out everything appended so far and stops the thread; idempotent.
    void close();
    /// After close(): fine when every write succeeded or the reader of a pipe went away (EPIPE:
    /// `| head` read what it wanted); else the error, naming `target` and the system's reason.
    base::Status check(const std::string& target) const;

  private:
    void queue(std::string_view bytes, std::string* owned, size_t max_pending);
    void run();
    bool write_all(std::string_view bytes);

    /// What the writer thread is doing, so append() wakes it only when needed.
    enum class State { idle, gathering, writing };
    static constexpr size_t k_batch_bytes = 64 << 10;
    // A buffer grown larger than this (by a huge message) is freed once written.
    static constexpr size_t k_keep_capacity = 4 << 20;
    // Unwritten bytes at most before append_piece() waits.
    static constexpr size_t k_piece_buffer = 1 << 20;
    static constexpr std::chrono::milliseconds k_gather_time{5};

    int fd_;
    size_t max_buffered_;
    mutable std::mutex mutex_;
    std::condition_variable ready_, drained_;
    std::string pending_;
    bool closing_ = false, failed_ = false;
    int error_ = 0;  // errno of the failed write
    State state_ = State::idle;
    std::thread thread_;
};

}  // namespace iotctl::capture
