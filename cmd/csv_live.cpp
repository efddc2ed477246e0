// `csv-export --live`: the subscription side (connect, subscribe, -C/-W/SIGINT).
#include <atomic>
#include <chrono>
#include <iostream>

#include "cmd/csv_export.h"
#include "core/mqtt_session.h"
#include "core/stop_signal.h"

namespace iotctl::cli {

int run_live_subscription(CsvExportCliOptions& o, const std::function<void(Message&&)>& each) {
    std::atomic<int> received{0};
    std::atomic<bool> done{false};
    MqttSession session(o.conn, "csv-export");
    session.enable_auto_reconnect(true);
    session.on_message([&](Message&& m) {
        if (done.load(std::memory_order_relaxed)) return;
        each(std::move(m));
        if (o.count > 0 && received.fetch_add(1) + 1 >= o.count) {
            done = true;
            request_stop();
        }
    });
    session.on_connection_lost([](const std::string& why) {
        std::cerr << "iotctl: warning: connection lost (" << why << "), reconnecting\n";
    });
    session.connect().check();
    SubscribeFlags flags;
    flags.qos = o.qos;
    session.subscribe(o.topics, flags).check();
    const auto start = std::chrono::steady_clock::now();
    bool timed_out = false;
    while (!wait_for_stop(std::chrono::milliseconds(50))) {
        if (o.timeout > 0 &&
            std::chrono::steady_clock::now() - start >= std::chrono::duration<double>(o.timeout)) {
            timed_out = true;
            break;
        }
    }
    done = true;
    session.disconnect(2.0);
    if (stop_signal() != 0 && !(o.count > 0 && received >= o.count))
        return static_cast<int>(ExitCode::interrupted);
    // -W alone is how long to listen; with -C it is how long to wait for the count.
    if (timed_out && o.count > 0) return static_cast<int>(ExitCode::timed_out);
    return 0;
}

}  // namespace iotctl::cli
