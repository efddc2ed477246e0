// The ingest pipeline: the MQTT callback appends to the spool, one SinkBatcher thread per sink
// writes from it, a timer fsyncs it, and segments every sink has passed are deleted.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/ingest/batcher.h"
#include "core/ingest/dead_letter.h"
#include "core/ingest/log.h"
#include "core/ingest/redelivery.h"
#include "core/ingest/spool.h"
#include "core/ingest/stats.h"
#include "core/mapping/mapper.h"
#include "core/sinks/sink.h"

namespace iotctl::ingest {

/// Where the pipeline keeps its state and how it batches, syncs and stops.
struct PipelineOptions {
    std::string state_dir;  // spool segments and checkpoints
    SpoolOptions spool;
    BatcherOptions batcher;
    std::chrono::milliseconds fsync_interval{1000};  // 0: fdatasync after every message
    std::chrono::milliseconds drain_time{5000};      // how long stop() keeps writing
};

/// A sink with the mapper its thread uses (mappers are not shared between threads).
struct PipelineSink {
    std::unique_ptr<sinks::Sink> sink;
    std::unique_ptr<mapping::Mapper> mapper;
};

/// Spool plus sink threads; accept() is the only call made from the MQTT callback.
class IngestPipeline {
  public:
    /// Opens the spool in the state dir and reads each sink's checkpoint; starts nothing yet.
    static base::Result<std::unique_ptr<IngestPipeline>> open(PipelineOptions options,
                                                              std::vector<PipelineSink> sinks,
                                                              DeadLetterFile& dead, IngestLog& log);
    ~IngestPipeline();
    /// Starts the sink threads (they write what the last run left first) and the fsync timer.
    void start();
    /// Makes one message durable in the spool (write(2)); blocks while the spool is full, and
    /// while the spool cannot be written (disk full), retrying every second: returning would
    /// let Paho acknowledge a message that is not on disk.
    void accept(const base::Message& message);
    /// Tells the redelivery filter that the broker connection was made again (called from the
    /// MQTT callback thread, before the messages of the new connection).
    void new_connection() { redelivery_.new_connection(); }
    /// Drains for up to drain_time, joins the threads, syncs; returns bytes left unwritten.
    uint64_t stop();
    /// The counters; summary() renders them with the spool's size.
    IngestStats& stats() { return stats_; }
    const IngestStats& stats() const { return stats_; }
    /// One line for --stats-interval.
    std::string summary() const;
    /// Bytes in the spool that some sink has not written yet.
    uint64_t backlog() const;
    /// The spool (for tests and the full-spool warning).
    const Spool& spool() const { return *spool_; }
    /// First step of stopping, before the MQTT session is closed: a full spool lets the waiting
    /// callback write past the bound, and a callback holding a message it cannot write keeps it
    /// for good (it must never return: that would acknowledge the message).
    void begin_stop();
    /// True while accept() holds a message it could not write. Paho keeps its client lock
    /// during the callback, so disconnecting would hang: the caller exits with std::_Exit after
    /// stop() instead, and the broker delivers the message again.
    bool holding_unwritten() const { return holding_.load(); }

  private:
    IngestPipeline(PipelineOptions options, DeadLetterFile& dead, IngestLog& log)
        : options_(std::move(options)), dead_(dead), log_(log) {}
    void release_done();
    /// The spool offset every sink has written up to (at most `end`).
    uint64_t lowest_committed(uint64_t end) const;
    void fsync_loop();
    void hold_until_written(const base::Message& message, std::string why);
    void log_repairs();

    PipelineOptions options_;
    DeadLetterFile& dead_;
    IngestLog& log_;
    IngestStats stats_;
    DrainControl drain_;
    std::unique_ptr<Spool> spool_;
    RedeliveryFilter redelivery_;  // only accept() (the MQTT callback thread) uses it
    std::vector<PipelineSink> sinks_;
    std::vector<std::unique_ptr<SinkBatcher>> batchers_;
    std::vector<std::thread> threads_;
    std::thread fsync_thread_;
    bool started_ = false, stopped_ = false;
    bool full_logged_ = false;  // the spool-full error was logged (only accept() touches it)
    std::atomic<bool> holding_{false};  // accept() is retrying a write that failed
    std::atomic<bool> give_up_{false};  // stopped: accept() keeps an unwritable message forever
};

}  // namespace iotctl::ingest
