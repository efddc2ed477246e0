#include "core/broker/retained_ops.h"

#include <chrono>

#include <fmt/format.h>

#include "core/base/stop_signal.h"
#include "core/base/timestamps.h"
#include "core/broker/retained_scan.h"
#include "core/broker/session.h"

namespace iotctl::broker {

namespace {
constexpr auto k_poll = std::chrono::milliseconds(20);
}  // namespace

base::Result<std::vector<base::Message>> list_retained(const ConnOptions& conn,
                                                       const RetainedQuery& query) {
    RetainedScan scan(query.quiet_s);
    MqttSession session(conn, "retained");
    session.set_properties(query.properties);
    session.on_message([&scan](base::Message&& m) { scan.add(std::move(m)); });
    if (auto s = session.connect(); !s) return s.error();
    SubscribeFlags flags;
    flags.qos = 1;
    if (auto s = session.subscribe(query.filters, flags); !s) {
        session.disconnect(2.0);
        return s.error();
    }
    scan.subscribed(base::now_ns());
    while (!scan.quiet(base::now_ns())) {
        if (base::wait_for_stop(k_poll)) {
            session.disconnect(2.0);
            return base::Error{base::ExitCode::interrupted, "interrupted"};
        }
    }
    if (auto s = session.disconnect(5.0); !s) return s.error();
    return scan.messages();
}

base::Status clear_retained(const ConnOptions& conn, const std::vector<std::string>& topics,
                            const PacketProperties& properties) {
    MqttSession session(conn, "retained");
    session.set_properties(properties);
    if (auto s = session.connect(); !s) return s;
    for (const auto& topic : topics) {
        base::Message clear;
        clear.topic = topic;
        clear.qos = 1;
        clear.retain = true;
        if (auto s = session.publish(clear); !s) return s;
    }
    // Waits for every PUBACK: the broker has taken each empty message (it may still drop one it
    // does not allow; the check after the clear finds that).
    return session.disconnect(10.0);
}

}  // namespace iotctl::broker
