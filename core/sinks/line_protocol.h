// InfluxDB line protocol: escaping and formatting records as lines (v1 and v2 share the format).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/base/record.h"

namespace iotctl::sinks {

/// Escapes a measurement name: `,` and space get a backslash; newline/CR become `\n`/`\r`.
std::string escape_measurement(std::string_view name);

/// Escapes a tag key, tag value or field key: `,`, `=` and space get a backslash; newline/CR
/// become the two characters `\n`/`\r` (line protocol cannot carry them in these places).
std::string escape_key(std::string_view key);

/// Escapes a string field value for use between double quotes: `"` and `\` get a backslash.
std::string escape_string_field(std::string_view value);

/// Formats a field value: floats shortest round-trip, ints with `i`, `true`/`false`, quoted
/// strings; nullopt for NaN and infinities, which line protocol cannot carry.
std::optional<std::string> format_field_value(const base::FieldValue& value);

/// Appends `record` as one line ending in `\n` (timestamp in ns) and returns nullopt; or leaves
/// `out` untouched and returns why the record cannot be written (e.g. no finite field left).
/// Without `string_fields` string fields are left out (for servers that cannot store them); a
/// record with nothing else appends nothing and is not an error.
std::optional<std::string> append_line(const base::Record& record, std::string& out,
                                       bool string_fields = true);

}  // namespace iotctl::sinks
