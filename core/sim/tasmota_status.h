// A simulated Tasmota gateway's commands (`cmnd/<gw>/<Command>`) and its answers to `Status`,
// in the topics and JSON shapes real Tasmota uses (docs/payloads.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/sim/control.h"
#include "core/sim/device.h"
#include "core/sim/tasmota.h"

namespace iotctl::sim {

/// Parses a command on `cmnd/<gw>/<Command>` (the command name in any case): `TelePeriod S`
/// sets the interval; `Status` with no payload, `0`, or 1..11 asks for status. Anything else is
/// a problem (counted, not answered), as is a Status number this gateway has nothing for (9:
/// no energy meter, 12: no crash dump).
ControlCommand parse_tasmota_command(std::string_view topic, std::string_view payload);

/// What a gateway's Status answers are filled from besides its sensors.
struct GatewayFacts {
    std::string name;
    uint64_t seed = 0;         // derives the gateway's MAC, IP address and build numbers
    int64_t started = 0;       // Unix seconds of its first report (its "boot")
    SimAnswerContext context;  // now, TelePeriod, broker and client id
};

/// Tasmota's answer to `Status <n>` (-1: no number): the topic suffix after `stat/<gw>/`
/// (`STATUS`, `STATUS0`...`STATUS11`) and the payload. `Status` alone gives the "Status" object,
/// `Status 0` every section in one object, `Status N` section N (StatusPRM, StatusFWR,
/// StatusLOG, StatusMEM, StatusNET, StatusMQT, StatusTIM, StatusSNS for 8 and 10, StatusSTS).
std::pair<std::string, std::string> tasmota_status(int n, const GatewayFacts& facts,
                                                   const GatewayWalk& walk);

}  // namespace iotctl::sim
