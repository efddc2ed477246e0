// The MQTT packet id of a received message, which Paho C++ 1.2 keeps but does not expose.
#pragma once

#include <mqtt/message.h>

namespace iotctl::broker {

/// The packet id the broker gave `message` (0 at QoS 0): `%m` prints it, and ingest uses it with
/// the DUP flag to recognise a redelivery.
int packet_id(const mqtt::message& message);

}  // namespace iotctl::broker
