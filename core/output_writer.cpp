#include "core/output_writer.h"

#include <cerrno>
#include <unistd.h>

#include "core/stop_signal.h"

namespace iotctl {

OutputWriter::OutputWriter(int fd, size_t max_buffered)
    : fd_(fd), max_buffered_(max_buffered), thread_([this] { run(); }) {}

OutputWriter::~OutputWriter() { close(); }

void OutputWriter::append(std::string_view bytes) {
    std::unique_lock lock(mutex_);
    if (failed_) return;
    drained_.wait(lock, [&] { return pending_.size() < max_buffered_ || failed_ || closing_; });
    bool was_empty = pending_.empty();
    pending_.append(bytes);
    if (was_empty && !writer_busy_) ready_.notify_one();
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

bool OutputWriter::failed() const {
    std::lock_guard lock(mutex_);
    return failed_;
}

void OutputWriter::run() {
    std::string batch;
    std::unique_lock lock(mutex_);
    while (true) {
        ready_.wait(lock, [&] { return !pending_.empty() || closing_; });
        if (pending_.empty() && closing_) return;
        batch.swap(pending_);
        writer_busy_ = true;
        drained_.notify_all();
        lock.unlock();
        size_t off = 0;
        bool ok = true;
        while (off < batch.size()) {
            ssize_t n = ::write(fd_, batch.data() + off, batch.size() - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ok = false;
                break;
            }
            off += n;
        }
        batch.clear();
        lock.lock();
        writer_busy_ = false;
        if (!ok) {
            failed_ = true;
            pending_.clear();
            drained_.notify_all();
            request_stop();  // nobody reads our output any more
        }
    }
}

}  // namespace iotctl
