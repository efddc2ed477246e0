// Watching a running ingest from outside: the stats line, /metrics and /healthz, the textfile,
// the status file in the state dir, systemd's READY/WATCHDOG/STATUS, and --max-silence. The
// runner calls tick() from its main loop; nothing here touches the message path.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/base/error.h"
#include "core/ingest/log.h"
#include "core/ingest/metrics_server.h"
#include "core/ingest/pipeline.h"
#include "core/ingest/run_stats.h"
#include "core/ingest/status_file.h"
#include "core/ingest/systemd_notify.h"

namespace iotctl::ingest {

/// The monitoring flags of ingest.
struct MonitorOptions {
    double stats_interval = 0;      // seconds between summary lines (and textfile writes); 0: none
    std::string metrics_listen;     // HOST:PORT for /metrics and /healthz, or empty
    std::string metrics_file;       // textfile path, or empty
    double max_silence = 0;         // seconds without any message before it is reported; 0: off
    bool max_silence_exit = false;  // end the run (exit 1) instead of resubscribing
};

/// The textfile is rewritten this often when --stats-interval is not given.
inline constexpr double k_default_metrics_file_interval_s = 10;

/// What tick() asks the runner to do.
enum class MonitorAction {
    none,         // carry on
    resubscribe,  // silent for --max-silence: subscribe again
    exit_silent,  // silent for --max-silence with --max-silence-exit: stop, exit 1
};

/// The monitoring of one run.
class RunMonitor {
  public:
    /// Prepares everything; start() binds the HTTP server.
    RunMonitor(MonitorOptions options, const IngestPipeline& pipeline, RunStats& run,
               IngestLog& log, RunIdentity identity);
    ~RunMonitor();
    /// Starts the HTTP server when --metrics-listen is given (an error when it cannot bind)
    /// and writes the first status file.
    base::Status start();
    /// Subscribed and sinks started: READY=1, and the silence clock starts at `now_ns`.
    void subscribed(int64_t now_ns);
    /// Does whatever is due at `now_ns`; call it at least every 100 ms.
    MonitorAction tick(int64_t now_ns);
    /// The last textfile and status file, and STOPPING=1.
    void finish(int64_t now_ns);
    /// The period the runner's loop should wake at.
    static constexpr std::chrono::milliseconds k_tick{100};

  private:
    MetricsSnapshot snapshot(int64_t now_ns) const;
    void write_status(const MetricsSnapshot& s, bool stopped);
    bool sinks_alive(const MetricsSnapshot& s) const;

    MonitorOptions options_;
    const IngestPipeline& pipeline_;
    RunStats& run_;
    IngestLog& log_;
    RunIdentity identity_;
    SystemdNotifier systemd_;
    std::unique_ptr<MetricsServer> server_;
    std::string status_path_;
    int64_t quiet_from_ns_ = 0;  // silence counts from max(this, the last message)
    int64_t next_stats_ns_ = 0, next_file_ns_ = 0, next_status_ns_ = 0, next_watchdog_ns_ = 0,
            next_systemd_status_ns_ = 0;
    bool status_failing_ = false, file_failing_ = false;
};

}  // namespace iotctl::ingest
