#include "core/base/timestamps.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string_view>

#include <fmt/format.h>

namespace iotctl::base {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string iso8601_utc(int64_t ts_ns, int fraction_digits) {
    int64_t secs = ts_ns / 1000000000;
    int64_t frac = ts_ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        --secs;
    }
    time_t t = secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[40];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = buf;
    if (fraction_digits > 0) {
        std::string f = fmt::format("{:09d}", frac);
        out += "." + f.substr(0, fraction_digits);
    }
    return out + "Z";
}

Result<int64_t> parse_iso8601(const std::string& text, bool* has_zone) {
    struct tm tm = {};
    int frac_digits = 0;
    int64_t frac = 0;
    const char* p = text.c_str();
    const char* end = strptime(p, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end) end = strptime(p, "%Y-%m-%d %H:%M:%S", &tm);
    if (!end) {
        end = strptime(p, "%Y-%m-%d", &tm);
        if (!end || *end) return usage_error("invalid time '" + text + "'");
    }
    if (*end == '.') {
        ++end;
        while (*end >= '0' && *end <= '9') {
            if (frac_digits < 9) {
                frac = frac * 10 + (*end - '0');
                ++frac_digits;
            }
            ++end;
        }
        for (int i = frac_digits; i < 9; ++i) frac *= 10;
    }
    int64_t offset_s = 0;
    if (has_zone != nullptr) *has_zone = *end == 'Z' || *end == '+' || *end == '-';
    if (*end == 'Z') {
        ++end;
    } else if (*end == '+' || *end == '-') {
        int sign = *end == '-' ? -1 : 1;
        int hh = 0, mm = 0;
        if (sscanf(end + 1, "%2d:%2d", &hh, &mm) < 1 && sscanf(end + 1, "%2d%2d", &hh, &mm) < 1)
            return usage_error("invalid time zone in '" + text + "'");
        offset_s = sign * (hh * 3600 + mm * 60);
        end += std::string_view(end).size();
    }
    if (*end) return usage_error("invalid time '" + text + "'");
    int64_t secs = timegm(&tm) - offset_s;
    if (secs > k_max_unix_seconds || secs < -k_max_unix_seconds)
        return usage_error("time '" + text + "' is out of range (years 1678 to 2261)");
    return secs * 1000000000 + frac;
}

}  // namespace iotctl::base
