// The publishing side of one MQTT connection, as `pub` and `replay` use it: two implementations,
// MqttSession (Paho C++ over Paho C's asynchronous MQTTAsync) and SyncPublisher (Paho C's
// synchronous MQTTClient, writing in the caller's thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/base/error.h"
#include "core/base/message.h"
#include "core/broker/conn_options.h"
#include "core/broker/mqtt_properties.h"

namespace iotctl::broker {

/// One connection that publishes: a window of QoS 1/2 publishes in flight, and on a lost broker
/// reconnecting for up to the reconnect timeout and sending again what was not acknowledged.
class Publisher {
  public:
    /// Called with one line per packet sent or received (`-d`).
    using DebugHandler = std::function<void(const std::string&)>;

    virtual ~Publisher() = default;

    /// MQTT 5 properties for the packets this client sends (`-D`); call before connect().
    virtual void set_properties(PacketProperties props) = 0;
    /// Called with one line per packet sent or received (`-d`); call before connect().
    virtual void on_debug(DebugHandler handler) = 0;
    /// How many publishes may be outstanding; when full, publish() waits until half are done.
    virtual void set_publish_window(size_t window) = 0;
    /// When the connection is lost: reconnect with backoff for up to `seconds` and send again
    /// what was not acknowledged (0: fail at once).
    virtual void set_reconnect_timeout(double seconds) = 0;

    /// Connects, blocking up to the connect timeout; exit code 3 when unreachable, 4 when refused.
    virtual base::Status connect() = 0;
    /// Sends a message; when the window is full, first waits until half of it is done.
    virtual base::Status publish(const base::Message& message) = 0;
    /// The same, taking the message's payload instead of copying it (the rest is left as is).
    virtual base::Status publish(base::Message&& message) = 0;
    /// After connect(): sends each packet at once (TCP_NODELAY); for timed publishing.
    virtual void send_without_delay() = 0;
    /// Waits until every publish is written and, at QoS 1/2, acknowledged.
    virtual base::Status flush() = 0;
    /// Number of publishes completed (written, and acknowledged at QoS 1/2).
    virtual uint64_t published() const = 0;
    /// Publishes sent but not acknowledged when publishing gave up on a lost broker.
    virtual uint64_t unacknowledged() const = 0;
    /// Reconnects made while publishing.
    virtual uint64_t reconnects() const = 0;
    /// Flushes, then disconnects cleanly (no Last Will), waiting up to `timeout_s` in all.
    virtual base::Status disconnect(double timeout_s = 10.0) = 0;
};

/// Which client library a publisher runs on.
enum class PublisherKind { sync, async };

/// The kind `make_publisher` picks: IOTCTL_PUBLISHER=async|sync when set (for comparisons),
/// else the synchronous client (measured faster for one connection; docs/connection.md).
PublisherKind default_publisher_kind();

/// A publisher for one connection (no network I/O yet); `command` names the default client id.
std::unique_ptr<Publisher> make_publisher(const ConnOptions& opts, const std::string& command,
                                          PublisherKind kind = default_publisher_kind());

}  // namespace iotctl::broker
