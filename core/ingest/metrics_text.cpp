#include "core/ingest/metrics_text.h"

#include <cmath>

#include <fmt/format.h>

namespace iotctl::ingest {

namespace {
/// Appends families to one text; each family's HELP and TYPE come once, before its samples.
class Exposition {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                       type);
    }
    void sample(std::string_view name, double value, std::string_view labels = "") {
        if (labels.empty())
            fmt::format_to(std::back_inserter(out_), "{} {}\n", name, format_sample_value(value));
        else
            fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels,
                           format_sample_value(value));
    }
    /// A family with one sample and no labels.
    void single(std::string_view name, std::string_view type, std::string_view help, double value) {
        family(name, type, help);
        sample(name, value);
    }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

std::string label(std::string_view key, std::string_view value) {
    return fmt::format("{}=\"{}\"", key, escape_label_value(value));
}

double seconds(int64_t ns) {
    return static_cast<double>(ns) / 1e9;
}

/// A per-sink family: one sample for each sink.
template <typename Get>
void per_sink(Exposition& e, const MetricsSnapshot& s, std::string_view name, std::string_view type,
              std::string_view help, Get get) {
    e.family(name, type, help);
    for (const auto& k : s.sinks) e.sample(name, get(k), label("sink", k.name));
}

void render_histograms(Exposition& e, const MetricsSnapshot& s) {
    constexpr std::string_view name = "iotctl_ingest_sink_write_duration_seconds";
    e.family(name, "histogram", "Duration of each write attempt to the sink.");
    for (const auto& k : s.sinks) {
        const std::string sink = label("sink", k.name);
        const auto& h = k.write_seconds;
        for (size_t i = 0; i < h.cumulative.size(); ++i) {
            const std::string le = i < LatencyHistogram::k_bounds.size()
                                       ? format_sample_value(LatencyHistogram::k_bounds[i])
                                       : "+Inf";
            e.sample(fmt::format("{}_bucket", name), static_cast<double>(h.cumulative[i]),
                     fmt::format("{},le=\"{}\"", sink, le));
        }
        e.sample(fmt::format("{}_sum", name), h.sum_seconds, sink);
        e.sample(fmt::format("{}_count", name), static_cast<double>(h.count), sink);
    }
}
}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_sample_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
    return fmt::format("{}", v);
}

std::string render_metrics(const MetricsSnapshot& s) {
    Exposition e;
    auto u = [](uint64_t v) { return static_cast<double>(v); };
    e.single("iotctl_ingest_start_time_seconds", "gauge",
             "When this ingest run started (Unix time).", seconds(s.start_ns));
    e.single("iotctl_ingest_messages_received_total", "counter", "Messages the broker delivered.",
             u(s.received));
    e.single("iotctl_ingest_messages_spooled_total", "counter",
             "Messages written to the spool (and so acknowledged).", u(s.spooled));
    e.single("iotctl_ingest_messages_dead_lettered_total", "counter",
             "Messages the mapping could not use, sent to the dead letters.", u(s.dead));
    e.single("iotctl_ingest_dead_letters_logged_total", "counter",
             "Dead letters the dead-letter file could not take, written to the log instead.",
             u(s.dead_logged));
    e.single("iotctl_ingest_messages_skipped_total", "counter",
             "Messages skipped on purpose (--where, or the mapping, e.g. a status message).",
             u(s.skipped));
    e.single("iotctl_ingest_messages_redelivered_total", "counter",
             "Messages the broker sent again (DUP) that were spooled already: not stored twice.",
             u(s.redelivered));
    e.single("iotctl_ingest_messages_partial_total", "counter",
             "Messages stored with some of their values dropped.", u(s.partial));
    e.single("iotctl_ingest_spool_bytes", "gauge", "Bytes held by the spool segments on disk.",
             u(s.spool_bytes));
    e.single("iotctl_ingest_spool_oldest_unwritten_age_seconds", "gauge",
             "Age of the oldest spooled message some sink has not written (0: none).",
             s.oldest_unwritten_s);
    e.single("iotctl_ingest_spool_full", "gauge",
             "1 while the spool is at --spool-max-bytes and messages are not acknowledged.",
             s.spool_full ? 1 : 0);
    e.single("iotctl_ingest_spool_write_failing", "gauge",
             "1 while the spool cannot be written (disk full).", s.spool_failing ? 1 : 0);
    e.single("iotctl_ingest_spool_write_retries_total", "counter",
             "Spool appends tried again after a failed write.", u(s.spool_retries));
    e.single("iotctl_ingest_broker_connected", "gauge", "1 while the MQTT session is up.",
             s.connected ? 1 : 0);
    e.single("iotctl_ingest_broker_reconnects_total", "counter",
             "Reconnections to the broker after a lost connection.", u(s.reconnects));
    e.single("iotctl_ingest_silences_total", "counter",
             "Times no message arrived on any filter for --max-silence seconds.", u(s.silences));
    per_sink(e, s, "iotctl_ingest_sink_messages_written_total", "counter",
             "Spooled messages the sink has finished with (stored, skipped or dead-lettered).",
             [&](const SinkSnapshot& k) { return u(k.messages); });
    per_sink(e, s, "iotctl_ingest_sink_records_written_total", "counter",
             "Records the sink stored.", [&](const SinkSnapshot& k) { return u(k.records); });
    per_sink(e, s, "iotctl_ingest_sink_records_rejected_total", "counter",
             "Records the sink refused (sent to the dead letters).",
             [&](const SinkSnapshot& k) { return u(k.rejected); });
    per_sink(e, s, "iotctl_ingest_sink_batches_total", "counter", "Successful batch writes.",
             [&](const SinkSnapshot& k) { return u(k.batches); });
    per_sink(e, s, "iotctl_ingest_sink_retries_total", "counter",
             "Failed write attempts that were retried.",
             [&](const SinkSnapshot& k) { return u(k.retries); });
    per_sink(e, s, "iotctl_ingest_sink_lag_bytes", "gauge",
             "Spool bytes the sink has not written yet.",
             [&](const SinkSnapshot& k) { return u(k.lag_bytes); });
    per_sink(e, s, "iotctl_ingest_sink_lag_seconds", "gauge",
             "Age of the oldest message the sink has not written (0: caught up).",
             [&](const SinkSnapshot& k) { return k.lag_seconds; });
    per_sink(e, s, "iotctl_ingest_sink_up", "gauge",
             "1 while the sink's writes succeed or it is idle, 0 while they fail.",
             [&](const SinkSnapshot& k) { return k.down || !k.running ? 0.0 : 1.0; });
    per_sink(e, s, "iotctl_ingest_sink_last_error_timestamp_seconds", "gauge",
             "When a write last failed (Unix time; 0: never).",
             [&](const SinkSnapshot& k) { return seconds(k.last_error_ns); });
    render_histograms(e, s);
    e.family("iotctl_ingest_filter_messages_total", "counter",
             "Messages received on the subscribed topic filter.");
    for (const auto& f : s.filters)
        e.sample("iotctl_ingest_filter_messages_total", u(f.messages), label("filter", f.filter));
    e.family("iotctl_ingest_filter_last_message_age_seconds", "gauge",
             "Seconds since the last message on the filter (since the start when none came).");
    for (const auto& f : s.filters)
        e.sample("iotctl_ingest_filter_last_message_age_seconds", f.since_last_s,
                 label("filter", f.filter));
    return e.take();
}

}  // namespace iotctl::ingest
