// `iotctl ingest status`: what the state directories under a root say about each ingest,
// without a broker: pid and whether it runs, client id, filters, spool size, each sink's
// checkpoint and lag, the last message, dead letters, and whether it is healthy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iotctl::ingest {

/// One sink as its checkpoint file (and the running ingest's status file) describe it.
struct SinkState {
    std::string name;
    uint64_t checkpoint = 0;  // spool position written up to
    uint64_t lag_bytes = 0;   // spool bytes after it
    double lag_seconds = -1;  // from the status file; -1: unknown
    bool down = false;        // writes were failing at the last status update
    std::string last_error;   // why, when down
};

/// One state directory.
struct IngestState {
    std::string dir;
    std::string client_id;    // the directory name
    int pid = 0;              // from the lock file (0: none recorded)
    bool running = false;     // that process holds the directory's lock
    bool has_status = false;  // status.json was found and parsed
    std::vector<std::string> filters;
    std::string broker, sinks_described;
    uint64_t spool_bytes = 0, spool_end = 0;
    int64_t last_message_ns = 0;  // 0: none recorded
    int64_t updated_ns = 0;       // when status.json was last written
    uint64_t dead_letters = 0;
    std::vector<SinkState> sinks;
    std::string problem;  // why it is not healthy; empty when healthy
};

/// Reads every state directory under `root` (a directory holding `lock` or `*.seg`), or `root`
/// itself when it is one; `now_ns` judges how fresh a running ingest's status file is.
std::vector<IngestState> read_ingest_states(const std::string& root, int64_t now_ns);

/// The human form: a block of `key: value` lines per state directory.
std::string render_status_text(const std::vector<IngestState>& states, int64_t now_ns);

/// The JSON form: an array with one object per state directory.
nlohmann::json render_status_json(const std::vector<IngestState>& states);

}  // namespace iotctl::ingest
