#include "core/capture/recorder.h"

#include <chrono>

#include "core/base/stop_signal.h"

namespace iotctl::capture {

CaptureRecorder::CaptureRecorder(std::unique_ptr<BatchWriter> writer, RecorderLimits limits)
    : writer_(std::move(writer)), limits_(limits), thread_([this] { run(); }) {}

CaptureRecorder::~CaptureRecorder() {
    close();
}

void CaptureRecorder::append(base::Message&& m) {
    std::unique_lock lock(mutex_);
    if (!error_.ok() || closing_) return;
    drained_.wait(lock, [&] { return queued_bytes_ < limits_.max_queued_bytes || !error_.ok(); });
    queued_bytes_ += m.payload.size() + m.topic.size() + sizeof(base::Message);
    queue_.push_back(std::move(m));
    if (queue_.size() >= limits_.batch_size) wake_.notify_one();
}

base::Status CaptureRecorder::close() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    return error_;
}

bool CaptureRecorder::failed() const {
    std::lock_guard lock(mutex_);
    return !error_.ok();
}

uint64_t CaptureRecorder::written() const {
    std::lock_guard lock(mutex_);
    return written_;
}

void CaptureRecorder::run() {
    std::vector<base::Message> batch;
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait_for(lock, std::chrono::milliseconds(limits_.flush_interval_ms),
                       [&] { return closing_ || queue_.size() >= limits_.batch_size; });
        bool last = closing_;
        batch.swap(queue_);
        queued_bytes_ = 0;
        drained_.notify_all();
        lock.unlock();
        base::Status s = writer_->write_batch(batch);
        const size_t n = batch.size();
        batch.clear();
        lock.lock();
        if (s.ok()) written_ += n;
        if (!s.ok()) {
            error_ = s;
            drained_.notify_all();
            base::request_stop();  // the capture cannot grow any more: stop the subscriber
            return;
        }
        if (last && queue_.empty()) return;
    }
}

}  // namespace iotctl::capture
