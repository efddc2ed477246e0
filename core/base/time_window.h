// Times given to --from/--to (ISO-8601, Unix seconds, or relative to now) and the window they make.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/error.h"

namespace iotctl::base {

/// Parses `2026-11-20T10:00:00Z` (ISO-8601), `1732500000[.5]` (Unix seconds) or `-90s`, `-90m`,
/// `-24h`, `-7d` (before `now_ns`) into Unix nanoseconds; an error names the bad text.
/// Seconds in one unit of a duration's suffix (`s`, `m`, `h`, `d`, `w`); nullopt for another.
std::optional<int64_t> duration_unit_seconds(char suffix);

Result<int64_t> parse_time_spec(const std::string& text, int64_t now_ns);

/// A closed interval of capture times; an absent bound is open.
struct TimeWindow {
    std::optional<int64_t> from_ns, to_ns;

    /// True when the time lies inside the window (bounds included).
    bool contains(int64_t ts_ns) const {
        return (!from_ns || ts_ns >= *from_ns) && (!to_ns || ts_ns <= *to_ns);
    }
    /// True when neither bound is set.
    bool unbounded() const { return !from_ns && !to_ns; }
    /// The window in words, e.g. `from 2026-11-20T10:00:00Z to the end`.
    std::string describe() const;
};

/// Builds a window from --from/--to texts (either may be empty); usage error when from > to.
Result<TimeWindow> make_time_window(const std::string& from, const std::string& to, int64_t now_ns);

}  // namespace iotctl::base
