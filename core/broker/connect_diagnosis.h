// Why a connection Paho could not open failed: name resolution, TCP, TLS or plain, TLS cause.
#pragma once

#include <optional>
#include <string>

#include "core/broker/conn_options.h"

namespace iotctl::broker {

/// What a probe of the broker found; `reason` is one line for the error message.
struct Diagnosis {
    std::string reason;
    bool refused = false;  // the broker answered and refused (exit 4), not unreachable (exit 3)
};

/// Probes the broker again with plain sockets and OpenSSL to say why a connect failed: the host
/// name does not resolve, nothing listens, the port speaks TLS and the client plain MQTT (or the
/// reverse), the certificate check's own reason (expired, unknown CA, name mismatch), a client
/// certificate is required, or MQTT 5 is refused where MQTT 3.1.1 is answered. Nothing when the
/// probe finds no more than Paho said. Blocks up to about twice the connect timeout (5 s at most).
std::optional<Diagnosis> diagnose_connect_failure(const ConnOptions& opts);

}  // namespace iotctl::broker
