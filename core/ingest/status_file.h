// `DIR/status.json` in an ingest state directory: who runs there (pid, client id, filters,
// sinks) and its latest counters, replaced whole every second so `iotctl ingest status` can
// tell without a broker how a running or stopped ingest is doing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ingest/metrics_snapshot.h"

namespace iotctl::ingest {

/// The file name inside the state directory.
inline constexpr const char* k_status_file_name = "status.json";

/// What a run is: the parts of the status file that do not change while it runs.
struct RunIdentity {
    int pid = 0;
    std::string client_id;
    std::string state_dir;
    std::string broker;                // host:port
    std::vector<std::string> filters;  // as subscribed (with any $share/ prefix)
    std::string sinks;                 // as the start line names them
};

/// The status document: identity, update time, counters, per-sink state, health problem.
nlohmann::json status_document(const RunIdentity& who, const MetricsSnapshot& s,
                               const std::string& problem, bool stopped);

}  // namespace iotctl::ingest
