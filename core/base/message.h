// The one in-memory form of an MQTT message that every subcommand and sink passes around.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace iotctl::base {

/// An MQTT message as received or to be published, with the properties iotctl keeps.
struct Message {
    std::string topic;
    std::string payload;  // raw bytes, not necessarily UTF-8
    int qos = 0;
    bool retain = false;
    int64_t ts_ns = 0;  // receive (or capture) time, Unix nanoseconds
    int mid = 0;        // packet id as received (0 for QoS 0)
    bool dup = false;   // the DUP flag: the broker may have sent this message before
    std::vector<std::pair<std::string, std::string>> user_properties;  // MQTT 5 only
    std::string content_type;                                          // MQTT 5 only
    std::string response_topic;                                        // MQTT 5 only
    /// The other MQTT 5 publish properties, as text for `sub -F` (%A %D %E %F %S); empty when
    /// absent. Not recorded in captures; only correlation_data is published (by `rr`).
    std::string topic_alias, correlation_data, message_expiry, payload_format, subscription_id;
};

}  // namespace iotctl::base
