#include "core/ingest/stats.h"

#include <fmt/format.h>

namespace iotctl::ingest {

SinkStats& IngestStats::add_sink(const std::string& name) {
    sinks.push_back(std::make_unique<SinkStats>());
    sinks.back()->name = name;
    return *sinks.back();
}

void IngestStats::add_partial(const std::vector<std::string>& fields) {
    if (fields.empty()) return;
    std::lock_guard lock(partial_mutex);
    for (const auto& f : fields) ++partial_fields[f];
}

std::string human_bytes(uint64_t bytes) {
    if (bytes < 1024) return fmt::format("{}B", bytes);
    const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int i = -1;
    while (v >= 1024 && i < 3) {
        v /= 1024;
        ++i;
    }
    return fmt::format("{:.1f}{}", v, units[i]);
}

std::string IngestStats::partial_text() const {
    std::lock_guard lock(partial_mutex);
    if (partial_fields.empty()) return {};
    std::string text;
    size_t shown = 0;
    for (const auto& [field, count] : partial_fields) {
        if (shown++ == 20) {
            text += fmt::format(" +{} more", partial_fields.size() - 20);
            break;
        }
        text += fmt::format("{}{}={}", text.empty() ? "" : " ", field, count);
    }
    return " (" + text + ")";
}

std::string IngestStats::summary(uint64_t spool_end, uint64_t spool_bytes,
                                 const std::string& spool_state) const {
    std::string line =
        fmt::format("received={} dead={} dead_logged={} skipped={} partial={}{} spool={}",
                    received.load(), dead.load(), dead_logged.load(), skipped.load(),
                    partial.load(), partial_text(), human_bytes(spool_bytes));
    if (!spool_state.empty()) line += fmt::format(" ({})", spool_state);
    if (redelivered.load() > 0) line += fmt::format(" redelivered={}", redelivered.load());
    if (spool_retries.load() > 0) line += fmt::format(" spool_retries={}", spool_retries.load());
    if (spool_dropped.load() > 0)
        line += fmt::format(" spool_dropped={} ({})", spool_dropped.load(),
                            human_bytes(spool_dropped_bytes.load()));
    for (const auto& s : sinks) {
        uint64_t pos = s->position.load();
        line += fmt::format(
            " | {}: written={} messages={} batches={} retries={} rejected={} lag={}{}", s->name,
            s->records.load(), s->messages.load(), s->batches.load(), s->retries.load(),
            s->rejected.load(), human_bytes(spool_end > pos ? spool_end - pos : 0),
            s->down.load() ? " DOWN" : "");
    }
    return line;
}

}  // namespace iotctl::ingest
