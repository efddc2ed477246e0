#include "core/capture/rr_latency.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace iotctl::capture {

namespace {

// The nearest-rank percentile of sorted samples: the smallest value with p % at or below it.
double nearest_rank(const std::vector<double>& sorted, double p) {
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

LatencySummary summarize_latencies(std::vector<double> ms) {
    LatencySummary s;
    s.samples = ms.size();
    if (ms.empty()) return s;
    std::sort(ms.begin(), ms.end());
    s.min = ms.front();
    s.max = ms.back();
    s.p50 = nearest_rank(ms, 50);
    s.p99 = nearest_rank(ms, 99);
    return s;
}

std::string format_latency_summary(const LatencySummary& s) {
    return fmt::format(
        "min {:.2f} ms, p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms ({} round trip{})", s.min,
        s.p50, s.p99, s.max, s.samples, s.samples == 1 ? "" : "s");
}

}  // namespace iotctl::capture
