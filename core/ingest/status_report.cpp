#include "core/ingest/status_report.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/base/timestamps.h"
#include "core/ingest/checkpoint.h"
#include "core/ingest/stats.h"
#include "core/ingest/status_file.h"

namespace iotctl::ingest {

namespace fs = std::filesystem;

namespace {
constexpr int64_t k_stale_status_ns = 10'000'000'000;  // a running ingest rewrites it every 1 s
constexpr const char* k_checkpoint_prefix = "checkpoint.";

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// True when some process holds a flock on `path` (/proc/locks names its device and inode).
bool locked_by_someone(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    const std::string id = fmt::format("{:02x}:{:02x}:{}", major(st.st_dev), minor(st.st_dev),
                                       static_cast<unsigned long>(st.st_ino));
    std::ifstream locks("/proc/locks");
    std::string line;
    while (std::getline(locks, line)) {
        if (line.find("FLOCK") == std::string::npos || line.find("->") != std::string::npos)
            continue;
        std::istringstream fields(line);
        std::string field;
        while (fields >> field)
            if (field == id) return true;
    }
    return false;
}

bool is_state_dir(const fs::path& dir) {
    std::error_code ec;
    if (fs::exists(dir / "lock", ec) || fs::exists(dir / k_status_file_name, ec)) return true;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".seg") return true;
    return false;
}

void read_spool(const fs::path& dir, IngestState& s) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.size() != 24 || !name.ends_with(".seg")) continue;
        const uint64_t size = fs::file_size(e.path(), ec);
        if (ec) continue;
        const uint64_t start = std::strtoull(name.c_str(), nullptr, 10);
        s.spool_bytes += size;
        s.spool_end = std::max(s.spool_end, start + size);
    }
}

void read_checkpoints(const fs::path& dir, IngestState& s) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (!name.starts_with(k_checkpoint_prefix) || name.ends_with(".tmp")) continue;
        SinkState k;
        k.name = name.substr(std::string(k_checkpoint_prefix).size());
        auto position = read_checkpoint(e.path().string());
        k.checkpoint = position ? *position : 0;
        k.lag_bytes =
            s.spool_end > k.checkpoint && s.spool_bytes > 0 ? s.spool_end - k.checkpoint : 0;
        s.sinks.push_back(std::move(k));
    }
    std::sort(s.sinks.begin(), s.sinks.end(),
              [](const SinkState& a, const SinkState& b) { return a.name < b.name; });
}

/// Adds what the status file says (it is the running process's own view of its sinks).
void read_status_file(const fs::path& dir, IngestState& s) {
    const auto doc = nlohmann::json::parse(read_text(dir / k_status_file_name), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return;
    s.has_status = true;
    s.filters = doc.value("filters", std::vector<std::string>{});
    s.broker = doc.value("broker", "");
    s.sinks_described = doc.value("sinks_described", "");
    s.last_message_ns = doc.value("last_message_ns", int64_t{0});
    s.updated_ns = doc.value("updated_ns", int64_t{0});
    s.dead_letters = doc.value("dead_letters", uint64_t{0});
    if (s.pid == 0) s.pid = doc.value("pid", 0);
    s.problem = doc.value("problem", "");
    if (!s.running) return;  // a stopped run's sink state is history: the checkpoints tell
    for (const auto& j : doc.value("sinks", nlohmann::json::array())) {
        const std::string name = j.value("name", "");
        auto it = std::find_if(s.sinks.begin(), s.sinks.end(),
                               [&](const SinkState& k) { return k.name == name; });
        if (it == s.sinks.end()) {
            s.sinks.push_back({name, j.value("position", uint64_t{0}), 0, -1, false, ""});
            it = std::prev(s.sinks.end());
        }
        it->lag_bytes = j.value("lag_bytes", it->lag_bytes);
        it->lag_seconds = j.value("lag_seconds", -1.0);
        it->down = j.value("down", false);
        it->last_error = it->down ? j.value("last_error", "") : "";
    }
}

IngestState read_one(const fs::path& dir, int64_t now_ns) {
    IngestState s;
    s.dir = dir.string();
    s.client_id = dir.filename().string();
    s.pid = std::atoi(read_text(dir / "lock").c_str());
    s.running = locked_by_someone(dir / "lock");
    read_spool(dir, s);
    read_checkpoints(dir, s);
    read_status_file(dir, s);
    if (!s.running)
        s.problem = "not running";
    else if (!s.has_status)
        s.problem = "running, but it writes no status file (an iotctl before 0.2?)";
    else if (now_ns - s.updated_ns > k_stale_status_ns)
        s.problem =
            fmt::format("status file not updated for {:.0f} s", (now_ns - s.updated_ns) / 1e9);
    return s;
}

std::string ago(int64_t then_ns, int64_t now_ns) {
    return fmt::format("{} ({:.0f} s ago)", base::iso8601_utc(then_ns, 0),
                       std::max<int64_t>(0, now_ns - then_ns) / 1e9);
}
}  // namespace

std::vector<IngestState> read_ingest_states(const std::string& root, int64_t now_ns) {
    std::vector<IngestState> out;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return out;
    if (is_state_dir(root)) {
        out.push_back(read_one(root, now_ns));
        return out;
    }
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(root, ec))
        if (e.is_directory(ec) && is_state_dir(e.path())) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) out.push_back(read_one(d, now_ns));
    return out;
}

std::string render_status_text(const std::vector<IngestState>& states, int64_t now_ns) {
    std::string out;
    for (const auto& s : states) {
        out += fmt::format("{}: {}{}, {}\n", s.dir, s.running ? "running" : "stopped",
                           s.pid > 0 ? fmt::format(" (pid {})", s.pid) : "",
                           s.problem.empty() ? "healthy" : "NOT HEALTHY: " + s.problem);
        out += fmt::format("  client id: {}\n", s.client_id);
        if (!s.broker.empty()) out += fmt::format("  broker: {}\n", s.broker);
        out += fmt::format("  filters: {}\n", s.filters.empty()
                                                  ? "(not recorded)"
                                                  : fmt::format("{}", fmt::join(s.filters, " ")));
        out += fmt::format("  spool: {}\n", human_bytes(s.spool_bytes));
        for (const auto& k : s.sinks) {
            out += fmt::format("  sink {}: checkpoint {}, lag {}", k.name, k.checkpoint,
                               human_bytes(k.lag_bytes));
            if (k.lag_seconds >= 0) out += fmt::format(" ({:.1f} s)", k.lag_seconds);
            if (k.down) out += fmt::format(", DOWN: {}", k.last_error);
            out += "\n";
        }
        out +=
            fmt::format("  last message: {}\n",
                        s.last_message_ns > 0 ? ago(s.last_message_ns, now_ns) : "none recorded");
        out += fmt::format("  dead letters: {}\n", s.dead_letters);
    }
    return out;
}

nlohmann::json render_status_json(const std::vector<IngestState>& states) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : states) {
        nlohmann::json sinks = nlohmann::json::array();
        for (const auto& k : s.sinks)
            sinks.push_back({{"name", k.name},
                             {"checkpoint", k.checkpoint},
                             {"lag_bytes", k.lag_bytes},
                             {"lag_seconds", k.lag_seconds >= 0 ? nlohmann::json(k.lag_seconds)
                                                                : nlohmann::json(nullptr)},
                             {"down", k.down},
                             {"last_error", k.last_error}});
        out.push_back({{"state_dir", s.dir},
                       {"client_id", s.client_id},
                       {"pid", s.pid},
                       {"running", s.running},
                       {"healthy", s.problem.empty()},
                       {"problem", s.problem},
                       {"broker", s.broker},
                       {"filters", s.filters},
                       {"spool_bytes", s.spool_bytes},
                       {"sinks", sinks},
                       {"last_message", s.last_message_ns > 0 ? nlohmann::json(base::iso8601_utc(
                                                                    s.last_message_ns, 3))
                                                              : nlohmann::json(nullptr)},
                       {"dead_letters", s.dead_letters}});
    }
    return out;
}

}  // namespace iotctl::ingest
