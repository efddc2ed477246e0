// `csv-export --fields`: dotted JSON paths, `*` standing for every key (one row per key).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

namespace iotctl::base {

/// One --fields entry, e.g. `SHTC3.Temperature` or `ZbReceived.*.Temperature`.
struct FieldPath {
    std::string text;                // as given; also the column header
    std::vector<std::string> parts;  // split at '.'
    int wildcard = -1;               // index of the `*` part, or -1
};

/// The fields of one --fields list (comma-separated); usage error on an empty part, a second
/// `*` in one path, or wildcards that do not share what comes before the `*`.
Result<std::vector<FieldPath>> parse_field_list(const std::string& list);

/// A JSON value's text as CSV cell text: strings unquoted, numbers and booleans as written,
/// null empty, objects and arrays as compact JSON (their text without white space).
std::string json_cell_text(std::string_view value);

/// The cells of each row a payload gives: one row, or with a wildcard one row per key of the
/// object at the shared prefix (sorted by key; a field ending in `*` is that key). With such a
/// key field every key gives a row (missing leaves empty); without one, rows where no field is
/// present are left out. `payload` must be JSON text that
/// was accepted already (base::is_json_payload); values are read from it as written, so numbers
/// keep all their digits.
std::vector<std::vector<std::optional<std::string>>> extract_field_rows(
    std::string_view payload, const std::vector<FieldPath>& fields);

}  // namespace iotctl::base
