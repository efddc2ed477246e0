#include "core/ingest/stale_sessions.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "core/base/timestamps.h"
#include "core/broker/session.h"
#include "core/ingest/state_dir.h"
#include "core/ingest/stats.h"

namespace iotctl::ingest {

namespace {
std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

uint64_t unwritten(const IngestState& s) {
    uint64_t most = 0;
    for (const auto& k : s.sinks) most = std::max(most, k.lag_bytes);
    return most;
}
}  // namespace

std::vector<IngestState> stale_sessions(const std::string& root, const std::string& client_id,
                                        const std::string& broker,
                                        const std::vector<std::string>& filters, int64_t now_ns) {
    std::vector<IngestState> out;
    const auto mine = sorted(filters);
    for (auto& s : read_ingest_states(root, now_ns)) {
        if (s.running || !s.has_status || s.client_id == client_id) continue;
        if (s.broker != broker || sorted(s.filters) == mine) continue;
        out.push_back(std::move(s));
    }
    return out;
}

std::string stale_session_warning(const IngestState& s) {
    const uint64_t left = unwritten(s);
    return fmt::format(
        "state directory {} belongs to a stopped ingest on this broker with other filters ({}), "
        "client id {}{}: if that was this ingest before its filters changed, the broker still "
        "keeps its session and queues messages for it; `iotctl ingest forget {}{}` ends that "
        "session and removes the directory",
        s.dir, fmt::join(s.filters, " "), s.client_id,
        left > 0 ? fmt::format(", with {} not yet written in its spool", human_bytes(left)) : "",
        s.client_id, " --state-dir " + std::filesystem::path(s.dir).parent_path().string());
}

base::Status forget_session(broker::ConnOptions conn, const std::string& root,
                            const std::string& client_id, bool force) {
    if (client_id.empty() || client_id.find('/') != std::string::npos || client_id == "." ||
        client_id == "..")
        return base::usage_error(fmt::format("ingest forget: '{}' is not a client id", client_id));
    const std::string dir = root + "/" + client_id;
    std::error_code ec;
    const bool have_dir = std::filesystem::is_directory(dir, ec);
    std::unique_ptr<StateDir> lock;
    if (have_dir) {
        auto states = read_ingest_states(dir, base::now_ns());
        if (!states.empty() && !force && unwritten(states[0]) > 0)
            return base::runtime_error(fmt::format(
                "the spool in {} holds {} that not every sink has written; run the ingest "
                "that owns it until it catches up, or give --force to drop it",
                dir, human_bytes(unwritten(states[0]))));
        auto claimed = StateDir::claim(root, client_id, false);  // fails while it runs
        if (!claimed) return claimed.error();
        lock = std::move(*claimed);
    }
    // A clean session (MQTT 3.1.1) or clean start with expiry 0 (MQTT 5) ends the old session.
    conn.client_id = client_id;
    conn.clean_session = true;
    conn.session_expiry = 0;
    broker::MqttSession session(conn, "ingest forget");
    if (auto s = session.connect(); !s) return s;
    if (auto s = session.disconnect(5.0); !s) return s;
    if (have_dir) {
        lock.reset();
        std::filesystem::remove_all(dir, ec);
        if (ec) return base::runtime_error(fmt::format("cannot remove {}: {}", dir, ec.message()));
    }
    return {};
}

}  // namespace iotctl::ingest
