// Counters for `ingest --stats-interval` and the final summary: received, written per sink,
// dead letters, retries, spool size and lag. Updated lock-free from every ingest thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/ingest/metric_types.h"

namespace iotctl::ingest {

/// Counters of one sink thread.
struct SinkStats {
    std::string name;
    std::atomic<uint64_t> messages{0};  // spooled messages this sink has finished with
    std::atomic<uint64_t> records{0};   // records the sink accepted
    std::atomic<uint64_t> batches{0};   // successful batch writes
    std::atomic<uint64_t> retries{0};   // failed attempts that were retried
    std::atomic<uint64_t> rejected{0};  // records the sink refused (sent to dead letters)
    std::atomic<uint64_t> position{0};  // committed spool position
    std::atomic<bool> down{false};      // true while writes fail and are being retried
    // For the metrics and `ingest status` (written by the sink thread, read by others):
    LatencyHistogram write_seconds;            // duration of each write attempt
    std::atomic<int64_t> last_error_ns{0};     // when a write last failed (0: never)
    std::atomic<int64_t> failing_since_ns{0};  // first failure of the current outage (0: none)
    std::atomic<int64_t> pending_since_ns{0};  // receive time of the oldest message read but
                                               // not yet committed (0: none)
    std::atomic<bool> running{false};          // the sink thread is inside run()
    LockedText last_error;                     // why the last write failed
};

/// Every counter of one ingest run.
struct IngestStats {
    std::atomic<uint64_t> received{0};       // messages appended to the spool
    std::atomic<uint64_t> redelivered{0};    // resent by the broker, already spooled: not again
    std::atomic<uint64_t> dead{0};           // messages the mapping called dead
    std::atomic<uint64_t> dead_logged{0};    // dead letters the file could not take: in the log
    std::atomic<uint64_t> skipped{0};        // messages the mapping skipped (e.g. status "online")
    std::atomic<uint64_t> partial{0};        // messages stored with some values dropped
    std::atomic<uint64_t> spool_retries{0};  // appends tried again after a failed write
    std::atomic<uint64_t> spool_dropped{0};  // bad stretches the open-time scan dropped
    std::atomic<uint64_t> spool_dropped_bytes{0};  // their bytes
    std::vector<std::unique_ptr<SinkStats>> sinks;
    std::map<std::string, uint64_t> partial_fields;  // values left out, per `measurement.field`
    mutable std::mutex partial_mutex;                // guards partial_fields

    /// Counts each `measurement.field` in `fields` once in partial_fields.
    void add_partial(const std::vector<std::string>& fields);

    /// Adds the counters of a sink called `name` and returns them.
    SinkStats& add_sink(const std::string& name);
    /// One line: received, dead, dead letters logged, skipped, partial (with the fields left out,
    /// `partial=2 (zigbee.Battery=1 hexaboard.co2=1)`), spool bytes and state
    /// (`spool_state` is "", "FULL" or "DISK FULL"...), spool write retries and dropped bytes when
    /// there were any, then per sink written/retries/rejected/lag.
    std::string summary(uint64_t spool_end, uint64_t spool_bytes,
                        const std::string& spool_state) const;
    /// ` (measurement.field=count ...)` of partial_fields (at most 20), or "" when none.
    std::string partial_text() const;
};

/// Bytes in a human form: `512B`, `3.2KiB`, `1.5MiB`, `2.0GiB`.
std::string human_bytes(uint64_t bytes);

}  // namespace iotctl::ingest
