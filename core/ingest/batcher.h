// One sink thread of ingest: reads the spool from the sink's checkpoint in batches, maps each
// message, writes the records with retry and exponential backoff, dead-letters what is refused
// (into the log when the dead-letter file cannot take it), then moves the checkpoint forward.
// One slow or dead sink never holds up another.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/ingest/dead_letter.h"
#include "core/ingest/log.h"
#include "core/ingest/spool.h"
#include "core/ingest/stats.h"
#include "core/mapping/mapper.h"
#include "core/sinks/sink.h"

namespace iotctl::ingest {

/// Batch and retry settings of a sink thread.
struct BatcherOptions {
    size_t batch_size = 5000;                        // messages per batch at most
    size_t batch_bytes = 16u << 20;                  // payload bytes per batch at most
    std::chrono::milliseconds flush_interval{1000};  // a partial batch is written after this
    std::chrono::milliseconds first_backoff{200};    // first wait after a failed write
    std::chrono::milliseconds max_backoff{30000};    // backoff doubles up to this
    bool report_mapping = false;  // this thread reports mapping dead letters (only one does)
};

/// Shared stop state: once stopping, threads drain until caught up or the deadline passes.
class DrainControl {
  public:
    /// Starts draining; work not written by `deadline` stays in the spool for the next run.
    void begin(std::chrono::steady_clock::time_point deadline);
    /// True once begin() was called.
    bool stopping() const;
    /// True when stopping and the deadline has passed.
    bool expired() const;
    /// Sleeps up to `d`, waking early when a stop begins or the deadline passes.
    void sleep(std::chrono::milliseconds d) const;

  private:
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point deadline_;
};

/// What a sink thread works with; references outlive the thread.
struct BatcherContext {
    sinks::Sink& sink;
    std::unique_ptr<mapping::Mapper> mapper;
    Spool& spool;
    std::string checkpoint_file;
    SinkStats& stats;
    IngestStats& totals;
    DeadLetterFile& dead;
    IngestLog& log;
    const DrainControl& drain;
    std::function<void()> on_commit;  // called after each checkpoint moves (frees segments)
};

/// The body of one sink thread.
class SinkBatcher {
  public:
    /// Prepares a thread that starts at spool position `start`.
    SinkBatcher(BatcherContext ctx, BatcherOptions options, uint64_t start);
    /// Runs until the drain ends: caught up after a stop, or the stop deadline passed.
    void run();
    /// The committed position (everything before it is in the sink).
    uint64_t committed() const { return ctx_.stats.position.load(); }

  private:
    bool gather(class SpoolReader& reader, std::vector<SpoolEntry>& entries);
    void map_batch(const std::vector<SpoolEntry>& entries, std::vector<base::Record>& records);
    bool write_records(std::vector<base::Record> records, const std::vector<SpoolEntry>& entries);
    void dead_letter_rejected(const base::Record& record, const std::vector<SpoolEntry>& entries,
                              const std::string& why);
    void commit(uint64_t position, size_t messages);
    void note_failure(const std::string& why);
    void save_checkpoint();
    void keep_dead_letter(const base::Message& message, const std::string& reason);

    BatcherContext ctx_;
    BatcherOptions options_;
    uint64_t start_;
    uint64_t saved_;                   // the position the checkpoint file holds
    bool checkpoint_failing_ = false;  // the last checkpoint write failed (logged once)
};

}  // namespace iotctl::ingest
