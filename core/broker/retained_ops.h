// `retained ls` and `retained clear` against a broker: list what is retained, clear it, check.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/message.h"
#include "core/broker/conn_options.h"
#include "core/broker/mqtt_properties.h"

namespace iotctl::broker {

/// What to look at and how long to wait for it.
struct RetainedQuery {
    std::vector<std::string> filters;
    double quiet_s = 1.0;         // -W: done after this long without a retained message
    PacketProperties properties;  // -D (MQTT 5), for the packets sent
};

/// Connects, subscribes to the filters at QoS 1 and returns the retained messages the broker
/// sends (sorted by topic) once `quiet_s` passed without one; disconnects. Exit 3/4 when the
/// connect fails, 4 when a subscription is refused, 130 when interrupted.
base::Result<std::vector<base::Message>> list_retained(const ConnOptions& conn,
                                                       const RetainedQuery& query);

/// Publishes an empty retained message at QoS 1 to each topic (which clears the topic's
/// retained message) and waits until the broker acknowledged every one.
base::Status clear_retained(const ConnOptions& conn, const std::vector<std::string>& topics,
                            const PacketProperties& properties);

}  // namespace iotctl::broker
