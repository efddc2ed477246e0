#include "core/capture/output_writer.h"

#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/base/stop_signal.h"

namespace iotctl::capture {

OutputWriter::OutputWriter(int fd, size_t max_buffered)
    : fd_(fd), max_buffered_(max_buffered), thread_([this] { run(); }) {}

OutputWriter::~OutputWriter() {
    close();
}

void OutputWriter::append(std::string_view bytes) {
    queue(bytes, nullptr, max_buffered_);
}

void OutputWriter::append(std::string&& bytes) {
    queue(bytes, &bytes, max_buffered_);
    bytes.clear();
}

void OutputWriter::append_piece(std::string_view piece) {
    queue(piece, nullptr, std::min(max_buffered_, k_piece_buffer));
}

void OutputWriter::queue(std::string_view bytes, std::string* owned, size_t max_pending) {
    std::unique_lock lock(mutex_);
    if (failed_) return;
    drained_.wait(lock, [&] { return pending_.size() < max_pending || failed_ || closing_; });
    bool was_empty = pending_.empty();
    if (was_empty && owned)
        pending_.swap(*owned);
    else
        pending_.append(bytes);
    // Wake the writer only when it sleeps on an empty buffer, or when a batch is full: a wake
    // per message would cost two futex calls per message on the receive path.
    if ((was_empty && state_ == State::idle) ||
        (state_ == State::gathering && pending_.size() >= k_batch_bytes))
        ready_.notify_one();
}

void OutputWriter::close() {
    {
        std::lock_guard lock(mutex_);
        if (closing_ && !thread_.joinable()) return;
        closing_ = true;
        ready_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
}

base::Status OutputWriter::check(const std::string& target) const {
    std::lock_guard lock(mutex_);
    if (!failed_ || error_ == EPIPE) return {};
    return base::runtime_error(fmt::format("writing {} failed: {}", target, std::strerror(error_)));
}

void OutputWriter::run() {
    std::string batch;
    std::unique_lock lock(mutex_);
    while (true) {
        state_ = State::idle;
        ready_.wait(lock, [&] { return !pending_.empty() || closing_; });
        if (pending_.empty() && closing_) return;
        // Let a batch gather for a moment; output still appears within k_gather_time.
        state_ = State::gathering;
        ready_.wait_for(lock, k_gather_time,
                        [&] { return pending_.size() >= k_batch_bytes || closing_; });
        state_ = State::writing;
        batch.swap(pending_);
        drained_.notify_all();
        lock.unlock();
        bool ok = write_all(batch);
        const int error = errno;
        batch.clear();
        if (batch.capacity() > k_keep_capacity) std::string().swap(batch);
        lock.lock();
        if (!ok) {
            failed_ = true;
            error_ = error;
            pending_.clear();
            drained_.notify_all();
            base::request_stop();  // nobody reads our output any more
        }
    }
}

bool OutputWriter::write_all(std::string_view bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) errno = EIO;  // no progress and no error: do not spin
        if (n <= 0) return false;
        off += n;
    }
    return true;
}

}  // namespace iotctl::capture
