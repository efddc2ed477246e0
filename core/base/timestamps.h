// Wall-clock time in Unix nanoseconds and its ISO-8601 text, shared by logs, captures and mapping.
#pragma once

#include <cstdint>
#include <string>

#include "core/base/error.h"

namespace iotctl::base {

/// Unix nanoseconds fit in int64_t for these many seconds either side of 1970.
inline constexpr int64_t k_max_unix_seconds = INT64_MAX / 1000000000 - 1;

/// Current wall-clock time in Unix nanoseconds.
int64_t now_ns();

/// ISO-8601 UTC time with the given number of fractional digits (0, 3, 6 or 9), e.g. `...Z`.
std::string iso8601_utc(int64_t ts_ns, int fraction_digits);

/// Parses ISO-8601 (`2026-11-20T10:00:00[.fff][Z|+hh:mm]`, no zone = UTC) to Unix nanoseconds;
/// `has_zone`, when given, tells whether the text named its zone (`Z` or an offset).
Result<int64_t> parse_iso8601(const std::string& text, bool* has_zone = nullptr);

}  // namespace iotctl::base
