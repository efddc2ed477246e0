#include "cmd/live_subscription.h"

#include <atomic>
#include <chrono>
#include <iostream>

#include "core/base/stop_signal.h"
#include "core/base/topic.h"
#include "core/broker/session.h"

namespace iotctl::cli {

LiveEnd run_subscription(const broker::ConnOptions& conn, const LiveSpec& spec,
                         const LiveHandler& handle, const std::function<bool()>& idle_stop) {
    std::atomic<int> counted{0};
    std::atomic<bool> done{false};
    broker::MqttSession session(conn, spec.command);
    session.enable_auto_reconnect(true);
    if (spec.mosquitto) apply_mosquitto_flags(session, *spec.mosquitto, spec.properties);
    session.on_message([&](base::Message&& m) {
        if (done.load(std::memory_order_relaxed)) return;
        if (spec.remove_retained && m.retain && !m.payload.empty() &&
            !base::any_filter_matches(spec.remove_retained_except, m.topic)) {
            // mosquitto's --remove-retained: an empty retained message clears the topic's.
            base::Message clear;
            clear.topic = m.topic;
            clear.retain = true;
            clear.qos = 0;
            (void)session.publish(clear);  // Paho's thread: queued, not waited for
        }
        if (handle(std::move(m)) && spec.count > 0 && counted.fetch_add(1) + 1 >= spec.count) {
            done = true;
            base::request_stop();
        }
    });
    session.on_connection_lost([](const std::string& why) {
        if (!quiet_requested())
            std::cerr << "iotctl: warning: connection lost (" << why << "), reconnecting\n";
    });
    session.connect().check();
    broker::SubscribeFlags flags;
    flags.qos = spec.qos;
    session.subscribe(spec.topics, flags).check();
    if (!spec.unsubscribe.empty()) session.unsubscribe(spec.unsubscribe).check();
    if (spec.exit_after_subscribe) {
        session.disconnect(2.0);
        return LiveEnd{};
    }

    const auto start = std::chrono::steady_clock::now();
    LiveEnd end;
    while (!base::wait_for_stop(std::chrono::milliseconds(50))) {
        if (spec.timeout > 0 && std::chrono::steady_clock::now() - start >=
                                    std::chrono::duration<double>(spec.timeout)) {
            end.timed_out = true;
            break;
        }
        if (idle_stop && idle_stop()) break;
    }
    done = true;
    session.disconnect(2.0);
    end.interrupted = base::stop_signal() != 0 && !(spec.count > 0 && counted >= spec.count);
    return end;
}

}  // namespace iotctl::cli
