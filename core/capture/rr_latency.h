// Round-trip times of `iotctl rr --count N`: min, median, 99th percentile and max.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace iotctl::capture {

/// The spread of a run's round trips, in milliseconds.
struct LatencySummary {
    size_t samples = 0;
    double min = 0, p50 = 0, p99 = 0, max = 0;
};

/// Summarises round trips in ms; percentiles by nearest rank (p99 of 10 samples is the max).
LatencySummary summarize_latencies(std::vector<double> ms);

/// "min 0.41 ms, p50 0.52 ms, p99 1.30 ms, max 1.30 ms (10 round trips)".
std::string format_latency_summary(const LatencySummary& s);

}  // namespace iotctl::capture
