// What one simulated device publishes: a hexaboard or a Tasmota Zigbee gateway (docs/payloads.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/error.h"
#include "core/sim/control.h"

namespace iotctl::sim {

/// Which kind of device to simulate.
enum class SimProfile { hexaboard, tasmota };

/// A topic and payload to publish.
using SimPublish = std::pair<std::string, std::string>;

/// An answer to a request: published on `topic`, with the request's Correlation Data (MQTT 5).
struct SimReply {
    std::string topic, payload;
    std::string correlation_data;  // empty: none
};

/// What a device needs to know about its run to answer a request.
struct SimAnswerContext {
    int64_t unix_seconds =
        0;                  // now, on the fleet's clock (--start-time's timetable or the real one)
    double interval = 1;    // the device's reporting interval now, seconds
    std::string mqtt_host;  // the broker, as the device connects to it
    int mqtt_port = 1883;
    std::string client_id;  // the device's MQTT client id
    std::string mqtt_user;
};

/// One simulated device: its topics, its readings, and how it takes commands. No I/O.
class SimDevice {
  public:
    virtual ~SimDevice() = default;
    /// The device's name (board id or gateway name).
    const std::string& name() const { return name_; }
    /// Topic of the retained online/offline status, also the Last Will topic.
    const std::string& status_topic() const { return status_topic_; }
    /// Topic filter the device takes commands and requests on.
    const std::string& control_topic() const { return control_topic_; }
    /// Payload published (retained) after connecting.
    virtual std::string online_payload() const = 0;
    /// Last Will payload (retained), published by the broker when the device drops off.
    virtual std::string offline_payload() const = 0;
    /// The messages of one reporting cycle, stamped with `unix_seconds`.
    virtual std::vector<SimPublish> tick(int64_t unix_seconds) = 0;
    /// Parses a message that arrived on the control topic.
    virtual ControlCommand parse_command(const ControlRequest& request) const = 0;
    /// The answers to a parsed request (after its settings were applied); none for most.
    virtual std::vector<SimReply> answer(const ControlRequest& request, const ControlCommand& cmd,
                                         const SimAnswerContext& ctx) = 0;
    /// Sets the LED (hexaboards; gateways have none).
    virtual void set_led(bool on) {}

  protected:
    SimDevice(std::string name, std::string status_topic, std::string control_topic)
        : name_(std::move(name)),
          status_topic_(std::move(status_topic)),
          control_topic_(std::move(control_topic)) {}

  private:
    std::string name_, status_topic_, control_topic_;
};

/// Creates a device of `profile` named `name`; `prefix` (may be empty) goes before every topic.
std::unique_ptr<SimDevice> make_sim_device(SimProfile profile, const std::string& name,
                                           uint64_t seed, const std::string& prefix);

/// Default names for `count` devices: hexaboards A..Z, AA, AB... ; gateways gw-1, gw-2...
std::vector<std::string> default_device_names(SimProfile profile, size_t count);

/// Splits `A,B,C` into names; an error names an empty, duplicate or topic-breaking (/ + #) one.
base::Result<std::vector<std::string>> parse_device_names(const std::string& list);

/// Joins a topic prefix and a topic: "" + "a/b" = "a/b"; "ci" + "a/b" = "ci/a/b".
std::string prefixed_topic(const std::string& prefix, const std::string& topic);

}  // namespace iotctl::sim
