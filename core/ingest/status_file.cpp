#include "core/ingest/status_file.h"

namespace iotctl::ingest {

nlohmann::json status_document(const RunIdentity& who, const MetricsSnapshot& s,
                               const std::string& problem, bool stopped) {
    nlohmann::json sinks = nlohmann::json::array();
    uint64_t rejected = 0;
    for (const auto& k : s.sinks) rejected += k.rejected;
    for (const auto& k : s.sinks)
        sinks.push_back({{"name", k.name},
                         {"position", k.position},
                         {"lag_bytes", k.lag_bytes},
                         {"lag_seconds", k.lag_seconds},
                         {"written_records", k.records},
                         {"rejected_records", k.rejected},
                         {"down", k.down},
                         {"failing_since_ns", k.failing_since_ns},
                         {"last_error_ns", k.last_error_ns},
                         {"last_error", k.last_error}});
    return {{"pid", who.pid},
            {"client_id", who.client_id},
            {"state_dir", who.state_dir},
            {"broker", who.broker},
            {"filters", who.filters},
            {"sinks_described", who.sinks},
            {"started_ns", s.start_ns},
            {"updated_ns", s.now_ns},
            {"stopped", stopped},
            {"connected", s.connected},
            {"received", s.received},
            {"spooled", s.spooled},
            {"dead_letters", s.dead + s.partial + rejected},
            {"dead_letters_logged", s.dead_logged},
            {"last_message_ns", s.last_message_ns},
            {"spool_bytes", s.spool_bytes},
            {"problem", problem},
            {"sinks", sinks}};
}

}  // namespace iotctl::ingest
