// One simulated device's MQTT connection, behind an interface so the fleet logic is testable.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <mqtt/async_client.h>

#include "core/base/error.h"
#include "core/broker/conn_options.h"
#include "core/sim/device.h"

namespace iotctl::sim {

/// A device's connection as the fleet sees it. Nothing here blocks except disconnect().
class SimLink {
  public:
    virtual ~SimLink() = default;
    /// Starts connecting with the device's Last Will; once connected the link publishes the
    /// retained online status, subscribes to the control topic and reports on_connected.
    virtual void connect() = 0;
    /// Queues one reading at the link's QoS (never retained).
    virtual base::Status publish(const std::string& topic, const std::string& payload) = 0;
    /// Queues an answer to a request, with its Correlation Data when it has some (MQTT 5).
    virtual base::Status publish_reply(const SimReply& reply) {
        return publish(reply.topic, reply.payload);
    }
    /// Drops the connection without DISCONNECT, so the broker publishes the Last Will.
    /// False when this link cannot do that.
    virtual bool drop() = 0;
    /// Disconnects cleanly (no Last Will), waiting up to a few seconds.
    virtual void disconnect() = 0;
    /// Call before connect(): this link will subscribe to a topic of its own for nudge().
    virtual void serve_nudges() {}
    /// Wakes the MQTT library's receive thread so that it looks at sockets opened since it
    /// last did (see PahoSimLink); a no-op for links that need no such help.
    virtual void nudge() {}
    /// Why a connect that failed with `error` failed, as far as a probe of the broker tells
    /// (broker::diagnosed_connect_failure); blocks up to a few seconds. As is by default.
    virtual base::Error explain_failure(base::Error error) const { return error; }
};

/// What a link reports back. They run on Paho's thread and must return quickly.
struct SimLinkEvents {
    std::function<void()> on_connected;
    std::function<void(base::Error)> on_connect_failed;
    std::function<void()> on_lost;                           // lost without drop() asking for it
    std::function<void(ControlRequest request)> on_control;  // a message on the control topic
};

/// Settings shared by every device's link.
struct SimLinkOptions {
    broker::ConnOptions conn;    // broker, credentials, TLS... (Will and client id are per device)
    std::string client_id_base;  // the client id is `<base>-<device name>`
    int qos = 0;                 // QoS of readings
};

/// A link straight over Paho's async client: connects never block a thread, so thousands of
/// devices connect at once (MqttSession::connect waits, and Paho needs ~1-2 s per connect).
class PahoSimLink : public SimLink, private mqtt::iaction_listener {
  public:
    /// Makes the link for `device`; no I/O until connect().
    PahoSimLink(const SimLinkOptions& opts, const SimDevice& device, SimLinkEvents events);
    ~PahoSimLink() override;
    void connect() override;
    base::Status publish(const std::string& topic, const std::string& payload) override;
    base::Status publish_reply(const SimReply& reply) override;
    bool drop() override;
    void disconnect() override;
    void serve_nudges() override;
    /// Paho's receive thread waits in poll() for up to 1 s on the sockets it knew when the wait
    /// began, so a connection opened meanwhile (and its CONNACK) waits that long, twice. An
    /// empty QoS 0 message to our own nudge topic comes back from the broker and ends the wait.
    void nudge() override;
    base::Error explain_failure(base::Error error) const override;

  private:
    void on_success(const mqtt::token& tok) override;  // the connect succeeded
    void on_failure(const mqtt::token& tok) override;  // the connect failed

    const SimLinkOptions& opts_;
    broker::ConnOptions conn_;
    std::string status_topic_, control_topic_, online_;
    std::string nudge_topic_;  // empty unless serve_nudges() was called
    SimLinkEvents events_;
    std::unique_ptr<mqtt::async_client> client_;
    std::atomic<bool> expect_loss_{false};
};

}  // namespace iotctl::sim
