#include "core/base/time_zone.h"

#include <chrono>
#include <cstdlib>
#include <ctime>

#include <date/tz.h>
#include <fmt/format.h>

namespace iotctl::base {
namespace {

using Nanos = std::chrono::nanoseconds;

// Seconds and the nanoseconds within them, the remainder never negative.
std::pair<int64_t, int64_t> split_ns(int64_t ns) {
    int64_t secs = ns / 1000000000, frac = ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        --secs;
    }
    return {secs, frac};
}

// `pattern` with each `%f` replaced by the six-digit microseconds (`%%` kept as it is).
std::string expand_micros(const std::string& pattern, int64_t frac_ns) {
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size()) {
            if (pattern[i + 1] == 'f') {
                out += fmt::format("{:06d}", frac_ns / 1000);
            } else {
                out += pattern.substr(i, 2);
            }
            ++i;
            continue;
        }
        out += pattern[i];
    }
    return out;
}

}  // namespace

Result<TimeZone> TimeZone::locate(const std::string& name) {
    if (name.empty() || name == "local") return local_zone();
    TimeZone zone;
    try {
        zone.zone_ = date::locate_zone(name);
    } catch (const std::exception&) {
        return usage_error("unknown time zone '" + name +
                           "' (expected an IANA name such as Asia/Seoul or UTC)");
    }
    return zone;
}

Result<TimeZone> TimeZone::local_zone() {
    const char* tz = std::getenv("TZ");
    if (tz != nullptr && *tz != '\0') {
        std::string name = tz[0] == ':' ? tz + 1 : tz;
        auto zone = locate(name.empty() ? "UTC" : name);
        if (!zone) return usage_error("TZ: " + zone.error().message);
        return zone;
    }
    TimeZone zone;
    try {
        zone.zone_ = date::current_zone();
    } catch (const std::exception& e) {
        return runtime_error(std::string("cannot tell the machine's time zone: ") + e.what());
    }
    return zone;
}

std::string TimeZone::name() const {
    return zone_ == nullptr ? "UTC" : std::string(zone_->name());
}

int64_t TimeZone::local_to_unix_ns(int64_t local_ns) const {
    if (zone_ == nullptr) return local_ns;
    date::local_time<Nanos> local{Nanos(local_ns)};
    try {
        return zone_->to_sys(local, date::choose::earliest).time_since_epoch().count();
    } catch (const std::exception&) {
        return local_ns;  // outside what the zone data covers: no offset known
    }
}

int64_t TimeZone::unix_to_local_ns(int64_t unix_ns) const {
    if (zone_ == nullptr) return unix_ns;
    date::sys_time<Nanos> sys{Nanos(unix_ns)};
    try {
        return zone_->to_local(sys).time_since_epoch().count();
    } catch (const std::exception&) {
        return unix_ns;
    }
}

std::string format_time_in_zone(int64_t ts_ns, const std::string& pattern, const TimeZone& zone) {
    auto [unix_secs, frac] = split_ns(ts_ns);
    int64_t local_secs = split_ns(zone.unix_to_local_ns(unix_secs * 1000000000)).first;
    time_t t = static_cast<time_t>(local_secs);
    struct tm tm = {};
    gmtime_r(&t, &tm);
    std::string abbreviation = "UTC";
    if (zone.name() != "UTC") {
        try {
            auto info = date::locate_zone(zone.name())
                            ->get_info(date::sys_seconds(std::chrono::seconds(unix_secs)));
            abbreviation = info.abbrev;
        } catch (const std::exception&) {
        }
    }
    tm.tm_gmtoff = static_cast<long>(local_secs - unix_secs);
    tm.tm_zone = abbreviation.c_str();
    std::string expanded = expand_micros(pattern, frac);
    if (expanded.empty()) return {};
    std::string out(expanded.size() * 4 + 64, '\0');
    size_t n = strftime(out.data(), out.size(), expanded.c_str(), &tm);
    out.resize(n);
    return out;
}

}  // namespace iotctl::base
