#include "core/sim/tasmota.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace iotctl::sim {

namespace {

// Magnus formula, as Tasmota computes DewPoint.
double dew_point(double t, double rh) {
    const double a = 17.62, b = 243.12;
    double g = std::log(std::max(rh, 1.0) / 100.0) + a * t / (b + t);
    return b * g / (a - g);
}

const char* const k_room_names[] = {"Kitchen", "Bedroom", "Bathroom", "Office", "Hall", "Garage"};

}  // namespace

GatewayWalk::GatewayWalk(uint64_t seed, std::string_view gateway)
    : rng_(seed, gateway, "readings") {
    temperature_ = rng_.between(19.0, 25.0);
    humidity_ = rng_.between(35.0, 60.0);
    rssi_ = static_cast<int>(rng_.between(50, 100));
    auto address = [&] {
        return fmt::format("0x{:04X}", static_cast<int>(rng_.between(0x1000, 0xFFF0)));
    };
    ZigbeeDevice climate{ZigbeeDevice::Kind::climate, address(),
                         k_room_names[static_cast<int>(rng_.between(0, 6))]};
    climate.temperature = rng_.between(18.0, 25.0);
    climate.humidity = rng_.between(40.0, 65.0);
    ZigbeeDevice door{ZigbeeDevice::Kind::contact, address(), "FrontDoor"};
    ZigbeeDevice plug{ZigbeeDevice::Kind::plug, address(), "Plug"};
    plug.power = 1;
    plug.active_power = static_cast<int>(rng_.between(5, 120));
    devices_ = {climate, door, plug};
    for (auto& d : devices_) d.link_quality = static_cast<int>(rng_.between(40, 160));
}

void GatewayWalk::step(ZigbeeDevice& d) {
    d.link_quality = std::clamp(d.link_quality + static_cast<int>(rng_.between(-5, 6)), 0, 255);
    switch (d.kind) {
        case ZigbeeDevice::Kind::climate:
            d.temperature = std::clamp(d.temperature + rng_.between(-0.3, 0.3), -10.0, 45.0);
            d.humidity = std::clamp(d.humidity + rng_.between(-1.0, 1.0), 5.0, 95.0);
            break;
        case ZigbeeDevice::Kind::contact:
            if (rng_.chance(0.2)) d.contact = 1 - d.contact;
            break;
        case ZigbeeDevice::Kind::plug:
            if (rng_.chance(0.05)) d.power = 1 - d.power;
            d.active_power =
                d.power
                    ? std::clamp(d.active_power + static_cast<int>(rng_.between(-5, 6)), 1, 2000)
                    : 0;
            break;
    }
}

std::string GatewayWalk::climate_payload(int64_t unix_seconds) {
    temperature_ = std::clamp(temperature_ + rng_.between(-0.3, 0.3), -10.0, 45.0);
    humidity_ = std::clamp(humidity_ + rng_.between(-1.0, 1.0), 5.0, 95.0);
    return climate_now(unix_seconds).dump();
}

nlohmann::ordered_json GatewayWalk::climate_now(int64_t unix_seconds) const {
    double t = round1(temperature_), rh = round1(humidity_);
    nlohmann::ordered_json j;
    j["Time"] = tasmota_time(unix_seconds);
    j["SHTC3"] = {{"Temperature", t}, {"Humidity", rh}, {"DewPoint", round1(dew_point(t, rh))}};
    j["TempUnit"] = "C";
    return j;
}

std::string GatewayWalk::zigbee_payload() {
    // The climate sensor reports every time; the others now and then, as real ones do.
    nlohmann::ordered_json heard = nlohmann::ordered_json::object();
    for (size_t i = 0; i < devices_.size(); ++i) {
        auto& d = devices_[i];
        step(d);
        if (i > 0 && !rng_.chance(0.5)) continue;
        nlohmann::ordered_json dev;
        dev["Device"] = d.address;
        dev["Name"] = d.name;
        if (d.kind == ZigbeeDevice::Kind::climate) {
            dev["Temperature"] = round1(d.temperature);
            dev["Humidity"] = round1(d.humidity);
        } else if (d.kind == ZigbeeDevice::Kind::contact) {
            dev["Contact"] = d.contact;
        } else {
            dev["Power"] = d.power;
            dev["ActivePower"] = d.active_power;
        }
        dev["Endpoint"] = 1;
        dev["LinkQuality"] = d.link_quality;
        heard[d.address] = std::move(dev);
    }
    nlohmann::ordered_json j;
    j["ZbReceived"] = std::move(heard);
    return j.dump();
}

std::string GatewayWalk::state_payload(int64_t unix_seconds, int64_t uptime_seconds) {
    rssi_ = std::clamp(rssi_ + static_cast<int>(rng_.between(-3, 4)), 0, 100);
    heap_ = static_cast<int>(rng_.between(20, 30));
    load_avg_ = static_cast<int>(rng_.between(10, 30));
    return state_now(unix_seconds, uptime_seconds).dump();
}

nlohmann::ordered_json GatewayWalk::state_now(int64_t unix_seconds, int64_t uptime_seconds) const {
    nlohmann::ordered_json j;
    j["Time"] = tasmota_time(unix_seconds);
    j["Uptime"] = tasmota_uptime(uptime_seconds);
    j["UptimeSec"] = uptime_seconds;
    j["Heap"] = heap_;
    j["SleepMode"] = "Dynamic";
    j["Sleep"] = 50;
    j["LoadAvg"] = load_avg_;
    j["MqttCount"] = 1;
    j["Wifi"] = {{"AP", 1},       {"SSId", "home"}, {"Channel", 6},
                 {"Mode", "11n"}, {"RSSI", rssi_},  {"Signal", rssi_ / 2 - 100},
                 {"LinkCount", 1}};
    return j;
}

std::string tasmota_uptime(int64_t s) {
    return fmt::format("{}T{:02}:{:02}:{:02}", s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
}

}  // namespace iotctl::sim
