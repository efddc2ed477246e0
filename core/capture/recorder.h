// Records messages from MQTT callbacks on a writer thread, in batched transactions, so the
// callback only moves the message into a queue (never any SQLite I/O on Paho's thread).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/capture/store.h"

namespace iotctl::capture {

/// Tuning for a recorder: how big a batch gets, how long it may wait, how much may queue.
struct RecorderLimits {
    size_t batch_size = 10000;
    int flush_interval_ms = 200;
    size_t max_queued_bytes = 256u << 20;  // append() waits beyond this (the disk is behind)
};

/// A background writer in front of a BatchWriter; close() commits the last batch.
class CaptureRecorder {
  public:
    /// Starts the writer thread.
    explicit CaptureRecorder(std::unique_ptr<BatchWriter> writer, RecorderLimits limits = {});
    /// Calls close().
    ~CaptureRecorder();
    CaptureRecorder(const CaptureRecorder&) = delete;
    CaptureRecorder& operator=(const CaptureRecorder&) = delete;

    /// Queues a message (cheap: a move under a lock); waits only when far behind.
    void append(base::Message&& message);
    /// Writes everything queued, stops the thread and reports the first write error; idempotent.
    base::Status close();
    /// True once a batch failed to write (further messages are counted as lost).
    bool failed() const;
    /// Messages written so far.
    uint64_t written() const;

  private:
    void run();

    std::unique_ptr<BatchWriter> writer_;
    RecorderLimits limits_;
    mutable std::mutex mutex_;
    std::condition_variable wake_, drained_;
    std::vector<base::Message> queue_;
    size_t queued_bytes_ = 0;
    bool closing_ = false;
    base::Status error_;
    uint64_t written_ = 0;
    std::thread thread_;
};

}  // namespace iotctl::capture
