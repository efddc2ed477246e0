// The `replay` loop: read a capture, schedule, rewrite, publish; I/O behind interfaces.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/topic.h"
#include "core/capture/reader.h"
#include "core/capture/replay_plan.h"

namespace iotctl::capture {

/// Where replayed messages go (a broker session, or stdout for --dry-run).
class Publisher {
  public:
    virtual ~Publisher() = default;
    /// Sends one message (may wait for a flow-control window).
    virtual base::Status publish(const base::Message& message) = 0;
    /// The same, free to take the payload instead of copying it (a huge one would otherwise be
    /// held twice); the other fields are left as they are.
    virtual base::Status publish(base::Message&& message) {
        return publish(static_cast<const base::Message&>(message));
    }
    /// Waits until everything sent is written and acknowledged.
    virtual base::Status flush() = 0;
};

/// A monotonic clock that can sleep; the real one wakes early when a stop is requested.
class ReplayClock {
  public:
    virtual ~ReplayClock() = default;
    /// Monotonic time in nanoseconds.
    virtual int64_t now_ns() = 0;
    /// Sleeps until the monotonic time `t_ns`; false when a stop was requested meanwhile.
    virtual bool sleep_until(int64_t t_ns) = 0;
    /// True once a stop (SIGINT/SIGTERM) was requested.
    virtual bool stop_requested() = 0;
};

/// The steady clock, interrupted by SIGINT/SIGTERM (core/base/stop_signal.h). `timed`: the
/// calling thread sends on a schedule, and asks the scheduler for a short slice so that it is
/// woken on time on a busy machine (measured under load: docs/capture.md).
std::unique_ptr<ReplayClock> make_steady_clock(bool timed = false);

/// What `replay` was asked to do besides timing.
struct ReplayOptions {
    ReplayTiming timing;
    int loops = 1;  // 0: until interrupted
    std::vector<TopicRewrite> rewrites;
    std::optional<int> qos;      // -q: else as recorded
    std::optional<bool> retain;  // -r / --no-retain: else as recorded
};

/// Where a replay is, for the progress bar.
struct ReplayProgress {
    uint64_t sent = 0;
    int pass = 1;
    int64_t elapsed_ns = 0;
    int64_t ts_ns = 0;  // recorded time of the message just sent
};

/// What a replay did, for the summary.
struct ReplayStats {
    uint64_t sent = 0, skipped = 0;
    int passes = 0;
    int64_t elapsed_ns = 0;
    int64_t max_late_ns = 0;  // worst send time behind schedule
    int64_t p99_late_ns = 0;  // 99th percentile of the same (10 us steps; at most max_late_ns)
    bool interrupted = false;
    std::map<base::TopicProblem, uint64_t> skipped_by;  // why messages were skipped, how many
};

/// The skipped messages by reason, e.g. "topic is empty (2); topic is not valid UTF-8 (1)".
std::string describe_skipped(const ReplayStats& stats);

/// Opens the (already selected) messages again from the start, for each pass.
using SourceFactory = std::function<base::Result<std::unique_ptr<MessageSource>>()>;

/// Replays every pass; stops at the first read or publish error (after nothing is lost
/// silently: the error says why). Flushes the publisher before returning.
base::Result<ReplayStats> run_replay(const SourceFactory& open, Publisher& out, ReplayClock& clock,
                                     const ReplayOptions& opts,
                                     const std::function<void(const ReplayProgress&)>& progress);

}  // namespace iotctl::capture
