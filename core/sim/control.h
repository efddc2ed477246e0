// Commands sent to a simulated board on `hexaboard/<board>/control` (docs/payloads.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iotctl::sim {

/// What a control message asks for; fields not named stay unset.
struct ControlCommand {
    std::optional<bool> led;            // {"led":"on"|"off"} (also true/false)
    std::optional<double> interval;     // {"interval":S}, seconds > 0
    std::vector<std::string> problems;  // what was wrong or unknown, one line each
};

/// Parses a control payload; never throws. Broken JSON or unknown keys end up in `problems`,
/// while the recognised keys of the same message still apply.
ControlCommand parse_control(std::string_view payload);

}  // namespace iotctl::sim
