#include "core/base/time_window.h"
#include "core/base/timestamps.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace iotctl::base {

namespace {

constexpr int64_t k_ns_per_s = 1'000'000'000;

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

}  // namespace

std::optional<int64_t> duration_unit_seconds(char suffix) {
    switch (suffix) {
        case 's':
            return 1;
        case 'm':
            return 60;
        case 'h':
            return 3600;
        case 'd':
            return 86400;
        case 'w':
            return 7 * 86400;
        default:
            return std::nullopt;
    }
}

namespace {

// `-90m`: a negative whole number of s/m/h/d (or w) before now.
std::optional<int64_t> parse_relative(std::string_view text, int64_t now_ns) {
    if (text.size() < 3 || text.front() != '-') return std::nullopt;
    std::string_view digits = text.substr(1, text.size() - 2);
    if (!all_digits(digits)) return std::nullopt;
    auto unit_s = duration_unit_seconds(text.back());
    if (!unit_s) return std::nullopt;
    const int64_t unit = *unit_s;
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || n > int64_t{100} * 365 * 86400 / unit) return std::nullopt;
    return now_ns - n * unit * k_ns_per_s;
}

// `1732500000` or `1732500000.25`: Unix seconds.
std::optional<int64_t> parse_unix(std::string_view text) {
    auto dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    if (!all_digits(whole) || whole.size() > 12) return std::nullopt;
    if (dot != std::string_view::npos && !all_digits(frac)) return std::nullopt;
    int64_t secs = 0;
    std::from_chars(whole.data(), whole.data() + whole.size(), secs);
    int64_t ns = 0;
    for (size_t i = 0; i < 9; ++i) ns = ns * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    return secs * k_ns_per_s + ns;
}

}  // namespace

Result<int64_t> parse_time_spec(const std::string& text, int64_t now_ns) {
    if (auto rel = parse_relative(text, now_ns)) return *rel;
    if (auto secs = parse_unix(text)) return *secs;
    // ISO-8601 needs at least a full date; parse_iso8601 accepts the rest.
    if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
        if (auto iso = parse_iso8601(text)) return *iso;
    }
    return usage_error(fmt::format(
        "invalid time '{}': expected ISO-8601 (2026-11-20T10:00:00Z), Unix seconds, or relative "
        "to now (-90m, -24h, -7d)",
        text));
}

std::string TimeWindow::describe() const {
    return fmt::format("from {} to {}", from_ns ? iso8601_utc(*from_ns, 0) : "the start",
                       to_ns ? iso8601_utc(*to_ns, 0) : "the end");
}

Result<TimeWindow> make_time_window(const std::string& from, const std::string& to,
                                    int64_t now_ns) {
    TimeWindow w;
    if (!from.empty()) {
        auto f = parse_time_spec(from, now_ns);
        if (!f) return Error{ExitCode::usage, "--from: " + f.error().message};
        w.from_ns = *f;
    }
    if (!to.empty()) {
        auto t = parse_time_spec(to, now_ns);
        if (!t) return Error{ExitCode::usage, "--to: " + t.error().message};
        w.to_ns = *t;
    }
    if (w.from_ns && w.to_ns && *w.from_ns > *w.to_ns)
        return usage_error(fmt::format("--from {} is after --to {}", from, to));
    return w;
}

}  // namespace iotctl::base
