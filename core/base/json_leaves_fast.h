// The fast path of json_object_leaves (core/base/json_leaves.h): simdjson's On-Demand parser for
// the common payload, a JSON object without escapes or control characters.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/base/json_leaves.h"

namespace iotctl::base {

/// The leaves of `payload` as json_object_leaves gives them, when this path can tell: true
/// with `leaves` filled, false for a payload that is not a JSON object; nullopt when it has a
/// backslash or a byte below 0x20 (strings with escapes, layout white space) or simdjson found
/// it invalid, so nlohmann's parser decides, with its exact rules. The JSON limits of
/// core/base/payload.h are checked by the caller first.
std::optional<bool> fast_object_leaves(std::string_view payload, std::vector<JsonLeaf>& leaves);

}  // namespace iotctl::base
