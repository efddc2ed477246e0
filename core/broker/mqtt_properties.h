// MQTT 5 properties named on the command line (`-D COMMAND PROPERTY VALUE`), as mosquitto names
// them, grouped by the packet they go into.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <mqtt/properties.h>

#include "core/base/error.h"

namespace iotctl::broker {

/// The properties for each packet a client sends; empty lists add nothing.
struct PacketProperties {
    mqtt::properties connect, publish, subscribe, unsubscribe, disconnect, will;
    /// True when no packet gets a property.
    bool empty() const;
};

/// Parses `-D` values as CLI11 collects them from every use, in order: `COMMAND PROPERTY VALUE`,
/// or `COMMAND user-property NAME VALUE`. `commands` are the packets this subcommand sends
/// (mosquitto_sub: connect, subscribe, unsubscribe, disconnect, will; mosquitto_pub: connect,
/// publish, disconnect, will). A usage error names the bad command, property or value.
base::Result<PacketProperties> parse_properties(const std::vector<std::string>& values,
                                                const std::set<std::string>& commands);

}  // namespace iotctl::broker
