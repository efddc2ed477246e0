// Binding outgoing MQTT connections to a local address (mosquitto's -A), which Paho has no
// setting for.
#pragma once

#include <string>

#include "core/base/error.h"

namespace iotctl::broker {

/// Makes every later outgoing TCP connection of this process bind to `address` (a numeric
/// address or a host name) before it connects; fails, naming the address, when it does not
/// resolve or no address it resolves to can be bound on this machine.
base::Status bind_connections_to(const std::string& address);

/// Forgets the address given to bind_connections_to(): later connections bind as the system
/// chooses.
void bind_connections_anywhere();

}  // namespace iotctl::broker
