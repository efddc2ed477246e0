// The built-in mappings (`--preset`), written in the map-file format so both share one engine.
#pragma once

#include <string_view>
#include <vector>

namespace iotctl::mapping {

/// The TOML text of a preset (`hexaboard`, `tasmota`, `generic`), or "" when there is none.
std::string_view preset_mapping_text(std::string_view name);

/// The names of the presets, for help and error messages.
std::vector<std::string_view> preset_names();

}  // namespace iotctl::mapping
