// Value rules shared by every mapping: field types and conversions, safe names, timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/record.h"
#include "core/base/time_zone.h"

namespace iotctl::mapping {

/// The type a mapping gives a field; fixed by the mapping, never by one payload.
enum class FieldType { float64, int64, boolean, string };

/// Reads `float`, `int`, `bool` or `string`; nullopt for anything else.
std::optional<FieldType> parse_field_type(std::string_view name);

/// Converts a JSON value to the field type; the error says why (e.g. `"sixty" is not a number`).
base::Result<base::FieldValue> convert_field(const nlohmann::json& value, FieldType type);

/// A strict decimal number in text, if finite: the whole text is the number (`25.5`, `-3`,
/// `1e3`; no hex, inf, nan, `+` or spaces) and has no leading zero unless it is `0` or `0.x`
/// (`"010000000000"` is an identifier, not 1e10).
std::optional<double> parse_number_text(std::string_view text);

/// The value as a float when it is numeric: a finite number, a boolean (1/0) or a number in text.
std::optional<double> numeric_value(const nlohmann::json& value);

/// An `auto_fields` leaf as a field of its own type: numbers (and text that is a number
/// entirely, see parse_number_text) float, booleans bool, other text string; nullopt for null,
/// empty text, objects and arrays.
std::optional<base::FieldValue> auto_field_value(const nlohmann::json& leaf);

/// The text a scalar gives as a tag value (strings as they are, numbers, booleans); else nullopt.
std::optional<std::string> tag_text(const nlohmann::json& value);

/// Makes a name safe for every sink: runs of characters outside [A-Za-z0-9_] become `_`, leading
/// and trailing `_` go, a leading digit gets an `n` prefix, `time` becomes `time_`, at most 64
/// bytes. Returns "" when nothing is left.
std::string sanitize_identifier(std::string_view name);

/// True when two names are the same to a SQL database (ASCII case ignored).
bool same_identifier(std::string_view a, std::string_view b);

/// True when the name is already safe (sanitize_identifier leaves it unchanged and non-empty).
bool is_identifier(std::string_view name);

/// How a payload states the time of a reading.
enum class TimestampFormat { automatic, seconds, millis, micros, nanos, iso8601 };

/// Reads `auto`, `s`, `ms`, `us`, `ns` or `iso8601`; nullopt for anything else.
std::optional<TimestampFormat> parse_timestamp_format(std::string_view name);

/// The earliest time accepted from a payload (2000-01-01): earlier means the clock was not set.
inline constexpr int64_t k_min_payload_time_ns = 946684800LL * 1000000000LL;

/// Converts a payload time to Unix nanoseconds; `auto` reads numbers below 1e11 as seconds, below
/// 1e14 as ms, below 1e17 as µs, else ns, and text that is not a number as ISO-8601. ISO-8601
/// text without a zone is a wall-clock time in `zone`; `Z` or an offset in the text wins.
base::Result<int64_t> convert_time(const nlohmann::json& value, TimestampFormat format,
                                   const base::TimeZone& zone = base::TimeZone());

}  // namespace iotctl::mapping
