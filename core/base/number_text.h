// The one rule for numbers written as text in a payload ("13.1"), shared by the mapping and
// `--where`.
#pragma once

#include <optional>
#include <string_view>

namespace iotctl::base {

/// A strict decimal number in text (`25.5`, `-3`, `1e3`; no hex, inf, nan or spaces), if finite.
std::optional<double> parse_number_text(std::string_view text);

}  // namespace iotctl::base
