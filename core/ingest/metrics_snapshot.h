// A plain copy of every ingest counter at one moment, taken off the hot path, from which the
// Prometheus text, the health verdict, the status file and the systemd STATUS= line are made.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ingest/metric_types.h"

namespace iotctl::ingest {

class IngestPipeline;
class RunStats;

/// One sink's counters and state.
struct SinkSnapshot {
    std::string name;
    uint64_t messages = 0, records = 0, batches = 0, retries = 0, rejected = 0;
    uint64_t position = 0;         // committed spool position
    uint64_t lag_bytes = 0;        // spool bytes after the position
    double lag_seconds = 0;        // age of the oldest message it has not written
    bool running = false;          // its thread is alive
    bool down = false;             // writes fail and are being retried
    int64_t last_error_ns = 0;     // 0: never failed
    int64_t failing_since_ns = 0;  // 0: not failing
    std::string last_error;
    LatencyHistogram::Snapshot write_seconds;
};

/// One subscribed filter's activity.
struct FilterSnapshot {
    std::string filter;
    uint64_t messages = 0;
    double since_last_s = 0;  // seconds since its last message (since the start when none)
};

/// Every counter of a run at `now_ns`.
struct MetricsSnapshot {
    int64_t now_ns = 0, start_ns = 0, last_message_ns = 0;
    uint64_t received = 0, spooled = 0, dead = 0, dead_logged = 0, skipped = 0, partial = 0;
    uint64_t redelivered = 0;  // resent by the broker after a reconnect, already spooled
    uint64_t spool_bytes = 0, spool_end = 0, spool_retries = 0, spool_dropped = 0;
    bool spool_full = false, spool_failing = false;
    std::string spool_state;        // "", "FULL", "DISK FULL" or "UNWRITABLE"
    double oldest_unwritten_s = 0;  // the largest sink lag in seconds
    uint64_t reconnects = 0, silences = 0;
    bool connected = false;
    int64_t disconnected_since_ns = 0;
    std::vector<SinkSnapshot> sinks;
    std::vector<FilterSnapshot> filters;
};

/// Reads every counter (relaxed loads; the spool's size under its lock).
MetricsSnapshot take_snapshot(const IngestPipeline& pipeline, const RunStats& run, int64_t now_ns);

/// Why the run is unhealthy, in one line (`influx: write failing since 12 s: connection
/// refused`), or empty while connected and every sink is writing or idle.
std::string health_problem(const MetricsSnapshot& s);

}  // namespace iotctl::ingest
