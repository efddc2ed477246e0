// The batch every sink integration test writes: the fixture shapes plus awkward values.
#pragma once

#include <vector>

#include "core/base/record.h"

namespace iotctl::testing {

/// Unix ns of the first fixture reading (hexaboard A's timestamp 1732500000).
inline constexpr int64_t k_t0 = 1732500000000000000;

/// Hexaboard, Tasmota climate/Zigbee/state and RabbitMQ-style records; tags with newline,
/// comma, space and `=`; an SQL-injection-looking tag value; a string field with quotes.
inline std::vector<base::Record> fixture_batch() {
    return {
        base::Record{"hexaboard",
                     {{"board", "A"}},
                     {{"temperature", 25.0}, {"humidity", 60.0}, {"light", int64_t{800}}},
                     k_t0},
        base::Record{"hexaboard",
                     {{"board", "B"}},
                     {{"temperature", 24.5}, {"humidity", 58.0}},
                     k_t0 + 1000000000},
        base::Record{"gateway_climate",
                     {{"gateway", "gw-livingroom"}, {"sensor", "SHTC3"}},
                     {{"Temperature", 22.1}, {"Humidity", 45.0}, {"DewPoint", 9.7}},
                     k_t0 + 2000000000},
        base::Record{
            "zigbee",
            {{"gateway", "gw-livingroom"}, {"device", "0x6E5B"}, {"name", "Kitchen\nDoor, A=B c"}},
            {{"Temperature", 21.5}, {"LinkQuality", int64_t{94}}, {"Contact", true}},
            k_t0 + 3000000000},
        base::Record{"zigbee",
                     {{"gateway", "gw-livingroom"},
                      {"device", "0x1A2B"},
                      {"name", "'; DROP TABLE zigbee; --"}},
                     {{"LinkQuality", int64_t{120}}, {"note", std::string("say \"hi\" \\ there")}},
                     k_t0 + 4000000000},
        base::Record{"gateway_state",
                     {{"gateway", "gw-livingroom"}},
                     {{"UptimeSec", int64_t{300}}, {"Heap", int64_t{25}}, {"Signal", int64_t{-62}}},
                     k_t0 + 5000000000},
        base::Record{"webos",
                     {{"producer", "android"}},
                     {{"command", std::string("signup")}, {"humidity", int64_t{40}}},
                     k_t0 + 6000000000},
    };
}

}  // namespace iotctl::testing
