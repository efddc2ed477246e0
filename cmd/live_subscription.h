// The subscribe-and-wait loop shared by `sub` and `csv-export --live`: -C, -W and signals.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cmd/mosquitto_flags.h"
#include "core/base/message.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// What a live subscription listens to and when it ends by itself.
struct LiveSpec {
    const char* command = "sub";  // names the default client id
    std::vector<std::string> topics;
    int qos = 0;
    int count = 0;                      // -C: end after this many counted messages (0: no limit)
    double timeout = 0;                 // -W: end after this many seconds (0: no limit)
    bool exit_after_subscribe = false;  // -E: end once the broker acknowledged the subscription
    std::vector<std::string> unsubscribe{};  // -U: filters to unsubscribe from after subscribing
    bool remove_retained = false;            // --remove-retained: clear each retained message seen
    std::vector<std::string> remove_retained_except{};  // -T filters: those are left alone
    const MosquittoFlags* mosquitto = nullptr;          // -D, -d, --quiet (sub)
    broker::PacketProperties properties{};              // parsed -D
};

/// How a live subscription ended.
struct LiveEnd {
    bool timed_out = false;    // -W ran out first
    bool interrupted = false;  // SIGINT/SIGTERM before -C was reached
};

/// Handles one message on Paho's thread (must return quickly); true when it counts for -C.
using LiveHandler = std::function<bool(base::Message&&)>;

/// Connects, subscribes and waits until -C, -W, a stop request or `idle_stop()` (polled every
/// 50 ms on this thread) ends it, then disconnects cleanly; throws Failure on connect errors.
LiveEnd run_subscription(const broker::ConnOptions& conn, const LiveSpec& spec,
                         const LiveHandler& handle, const std::function<bool()>& idle_stop = {});

}  // namespace iotctl::cli
