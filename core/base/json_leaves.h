// The leaves of a JSON object payload as (dotted path, cell text) pairs, read with a SAX parser
// so no document is built (csv-export reads every message of a capture twice).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iotctl::base {

/// One leaf: `SHTC3.Temperature` and its value as CSV cell text (`22.1`).
struct JsonLeaf {
    std::string path;
    std::string text;
};

/// Fills `leaves` with every scalar under a JSON object payload, in document order (array
/// elements are numbered: `a.0`, `a.1`); strings unquoted, numbers as written, null empty.
/// Returns false (and leaves no result) when the payload is not a JSON object, or is over the
/// JSON limits of core/base/payload.h (then `limit_reason`, if given, says which).
bool json_object_leaves(std::string_view payload, std::vector<JsonLeaf>& leaves,
                        std::string* limit_reason = nullptr);

}  // namespace iotctl::base
