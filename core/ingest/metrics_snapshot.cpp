#include "core/ingest/metrics_snapshot.h"

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "core/ingest/pipeline.h"
#include "core/ingest/run_stats.h"

namespace iotctl::ingest {

namespace {
constexpr auto k_relaxed = std::memory_order_relaxed;

double seconds_between(int64_t from_ns, int64_t to_ns) {
    return from_ns > 0 && to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e9 : 0.0;
}
}  // namespace

MetricsSnapshot take_snapshot(const IngestPipeline& pipeline, const RunStats& run, int64_t now_ns) {
    MetricsSnapshot s;
    s.now_ns = now_ns;
    s.start_ns = run.start_ns;
    s.last_message_ns = run.last_message_ns.load(k_relaxed);
    s.received = run.received.load(k_relaxed);
    s.reconnects = run.reconnects.load(k_relaxed);
    s.silences = run.silences.load(k_relaxed);
    s.connected = run.connected.load();
    s.disconnected_since_ns = run.disconnected_since_ns.load();
    for (const auto& f : run.filters) {
        const int64_t last = f->last_message_ns.load(k_relaxed);
        s.filters.push_back({f->filter, f->messages.load(k_relaxed),
                             seconds_between(last > 0 ? last : run.start_ns, now_ns)});
    }
    const Spool& spool = pipeline.spool();
    const IngestStats& st = pipeline.stats();
    s.spooled = st.received.load(k_relaxed);
    s.dead = st.dead.load(k_relaxed);
    s.dead_logged = st.dead_logged.load(k_relaxed);
    s.skipped = st.skipped.load(k_relaxed);
    s.redelivered = st.redelivered.load(k_relaxed);
    s.partial = st.partial.load(k_relaxed);
    s.spool_retries = st.spool_retries.load(k_relaxed);
    s.spool_dropped = st.spool_dropped.load(k_relaxed);
    s.spool_end = spool.end();
    s.spool_bytes = spool.bytes();
    s.spool_full = spool.full();
    s.spool_failing = spool.write_failing();
    s.spool_state = s.spool_failing ? (spool.write_errno() == ENOSPC ? "DISK FULL" : "UNWRITABLE")
                    : s.spool_full  ? "FULL"
                                    : "";
    for (const auto& k : st.sinks) {
        SinkSnapshot o;
        o.name = k->name;
        o.messages = k->messages.load(k_relaxed);
        o.records = k->records.load(k_relaxed);
        o.batches = k->batches.load(k_relaxed);
        o.retries = k->retries.load(k_relaxed);
        o.rejected = k->rejected.load(k_relaxed);
        o.position = k->position.load(k_relaxed);
        o.lag_bytes = s.spool_end > o.position ? s.spool_end - o.position : 0;
        o.lag_seconds = seconds_between(k->pending_since_ns.load(k_relaxed), now_ns);
        o.running = k->running.load();
        o.down = k->down.load();
        o.last_error_ns = k->last_error_ns.load(k_relaxed);
        o.failing_since_ns = k->failing_since_ns.load(k_relaxed);
        if (o.last_error_ns > 0) o.last_error = k->last_error.get();
        o.write_seconds = k->write_seconds.snapshot();
        s.oldest_unwritten_s = std::max(s.oldest_unwritten_s, o.lag_seconds);
        s.sinks.push_back(std::move(o));
    }
    return s;
}

std::string health_problem(const MetricsSnapshot& s) {
    if (!s.connected)
        return s.disconnected_since_ns > 0
                   ? fmt::format("broker: disconnected since {:.0f} s",
                                 seconds_between(s.disconnected_since_ns, s.now_ns))
                   : "broker: not connected";
    if (s.spool_failing) return fmt::format("spool: cannot be written ({})", s.spool_state);
    for (const auto& k : s.sinks) {
        if (k.down || k.failing_since_ns > 0)
            return fmt::format("{}: write failing since {:.0f} s: {}", k.name,
                               seconds_between(k.failing_since_ns, s.now_ns), k.last_error);
        if (!k.running) return fmt::format("{}: sink thread is not running", k.name);
    }
    return "";
}

}  // namespace iotctl::ingest
