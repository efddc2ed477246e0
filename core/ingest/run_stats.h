// Counters of the MQTT side of one ingest run: messages delivered, per-filter activity,
// connection state and reconnects, silences. Updated with relaxed atomics from Paho's threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace iotctl::ingest {

/// Messages seen on one subscribed topic filter.
struct FilterActivity {
    std::string filter;                       // as subscribed, without any $share/ prefix
    std::atomic<uint64_t> messages{0};        // messages whose topic matches it
    std::atomic<int64_t> last_message_ns{0};  // receive time of the latest (0: none yet)
};

/// The counters the broker side of ingest keeps (the pipeline keeps IngestStats).
class RunStats {
  public:
    /// Counters for these filters; `start_ns` is when the run began.
    RunStats(const std::vector<std::string>& filters, int64_t start_ns);
    /// Counts one message delivered by the broker on `topic` at `ts_ns` (the hot path).
    void on_message(std::string_view topic, int64_t ts_ns);
    /// Notes a lost connection at `now_ns`.
    void on_lost(int64_t now_ns);
    /// Notes a (re)connection; `reconnect` counts it as a reconnect.
    void on_connected(int64_t now_ns, bool reconnect);

    int64_t start_ns;                               // when the run began
    std::atomic<uint64_t> received{0};              // messages the broker delivered
    std::atomic<int64_t> last_message_ns{0};        // receive time of the latest (0: none)
    std::atomic<uint64_t> reconnects{0};            // automatic reconnections after a loss
    std::atomic<uint64_t> silences{0};              // --max-silence periods reported
    std::atomic<bool> connected{false};             // the MQTT session is up
    std::atomic<int64_t> disconnected_since_ns{0};  // when it was lost (0: connected)
    std::vector<std::unique_ptr<FilterActivity>> filters;
};

}  // namespace iotctl::ingest
