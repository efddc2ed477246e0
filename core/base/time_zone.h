// IANA time zones (Howard Hinnant's date/tz over the system's tzdata): local wall-clock times
// to Unix time and back, without touching the process-global TZ/tzset state.
#pragma once

#include <cstdint>
#include <string>

#include "core/base/error.h"

namespace date {
class time_zone;
}

namespace iotctl::base {

/// One IANA time zone (`Asia/Seoul`, `UTC`); cheap to copy, usable from any thread.
class TimeZone {
  public:
    /// UTC.
    TimeZone() = default;
    /// The zone called `name` (IANA, e.g. `Asia/Seoul`, `UTC`); `local` or "" is local_zone().
    static Result<TimeZone> locate(const std::string& name);
    /// The machine's zone: the IANA name in TZ when set (`:` prefix allowed), else /etc/localtime.
    static Result<TimeZone> local_zone();

    /// The zone's IANA name (`UTC` for the default).
    std::string name() const;
    /// The Unix nanoseconds of a wall-clock time in this zone given as if it were UTC
    /// (`timegm` of the fields); in a DST gap or overlap the earlier offset is used.
    int64_t local_to_unix_ns(int64_t local_ns) const;
    /// The wall-clock time in this zone of Unix nanoseconds, as if it were UTC (for gmtime_r).
    int64_t unix_to_local_ns(int64_t unix_ns) const;

  private:
    const date::time_zone* zone_ = nullptr;  // nullptr: UTC
};

/// Formats Unix nanoseconds with a strftime pattern in `zone`; `%f` (an extension) gives the
/// six-digit microseconds and `%z`/`%Z` the zone's offset and abbreviation.
std::string format_time_in_zone(int64_t ts_ns, const std::string& pattern, const TimeZone& zone);

}  // namespace iotctl::base
