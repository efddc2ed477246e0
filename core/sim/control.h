// Commands sent to a simulated board on `hexaboard/<board>/control` (docs/payloads.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace iotctl::sim {

/// A message that arrived on a device's control topic, with its MQTT 5 request properties.
struct ControlRequest {
    std::string topic;
    std::string payload;
    std::string response_topic;    // MQTT 5 Response Topic; empty when the request had none
    std::string correlation_data;  // MQTT 5 Correlation Data; empty when the request had none
};

/// What a control message asks for; fields not named stay unset.
struct ControlCommand {
    std::optional<bool> led;            // {"led":"on"|"off"} (also true/false)
    std::optional<double> interval;     // {"interval":S}, seconds > 0
    std::optional<std::string> get;     // {"get":"reading"}: answer with the current reading
    std::optional<nlohmann::json> id;   // {"id":...}: echoed in the answer
    std::optional<int> status;          // Tasmota `Status [N]`: -1 for no number, else 0..11
    std::vector<std::string> problems;  // what was wrong or unknown, one line each
};

/// Parses a control payload; never throws. Broken JSON or unknown keys end up in `problems`,
/// while the recognised keys of the same message still apply.
ControlCommand parse_control(std::string_view payload);

}  // namespace iotctl::sim
