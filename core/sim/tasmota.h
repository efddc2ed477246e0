// Simulated Tasmota Zigbee gateways: payloads in the shapes of docs/payloads.md and
// tests/fixtures/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sim/readings.h"

namespace iotctl::sim {

/// One Zigbee device heard by a gateway: a climate sensor, a door contact or a smart plug.
struct ZigbeeDevice {
    enum class Kind { climate, contact, plug };
    Kind kind = Kind::climate;
    std::string address;  // short address, e.g. "0x6E5B"
    std::string name;     // friendly name, e.g. "Kitchen"
    double temperature = 0, humidity = 0;
    int contact = 0, power = 0, active_power = 0, link_quality = 0;
};

/// A gateway's sensors as seeded random walks; each call advances them one step.
class GatewayWalk {
  public:
    /// Creates the gateway's local SHTC3 sensor and its Zigbee devices (three, one of each kind).
    GatewayWalk(uint64_t seed, std::string_view gateway);
    /// `tele/<gw>/SENSOR` with the gateway's own climate sensor (SHTC3).
    std::string climate_payload(int64_t unix_seconds);
    /// `tele/<gw>/SENSOR` with `ZbReceived` for one or more of its devices.
    std::string zigbee_payload();
    /// `tele/<gw>/STATE` health report; uptime counts from the gateway's start.
    std::string state_payload(int64_t unix_seconds, int64_t uptime_seconds);
    /// The climate reading last reported, as the SENSOR object (without advancing the walk).
    nlohmann::ordered_json climate_now(int64_t unix_seconds) const;
    /// The health last reported, as the STATE object (without advancing the walk).
    nlohmann::ordered_json state_now(int64_t unix_seconds, int64_t uptime_seconds) const;
    /// Wi-Fi signal as last reported, 0..100.
    int rssi() const { return rssi_; }
    /// The devices this gateway hears (for tests and docs).
    const std::vector<ZigbeeDevice>& devices() const { return devices_; }

  private:
    void step(ZigbeeDevice& d);

    SimRandom rng_;
    double temperature_, humidity_;
    int rssi_;
    int heap_ = 25, load_avg_ = 19;
    std::vector<ZigbeeDevice> devices_;
};

/// Tasmota's uptime string `<days>T<hh>:<mm>:<ss>`.
std::string tasmota_uptime(int64_t seconds);

}  // namespace iotctl::sim
