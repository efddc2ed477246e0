#include "core/ingest/metric_types.h"

#include <algorithm>

namespace iotctl::ingest {

void LatencyHistogram::observe(double seconds) {
    const auto it = std::lower_bound(k_bounds.begin(), k_bounds.end(), seconds);
    buckets_[static_cast<size_t>(it - k_bounds.begin())].fetch_add(1, std::memory_order_relaxed);
    const double ns = std::max(0.0, seconds) * 1e9;
    sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
    Snapshot s;
    uint64_t running = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative[i] = running;
    }
    s.count = running;  // equal to the +Inf bucket, as the exposition format requires
    s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return s;
}

void LockedText::set(std::string text) {
    std::lock_guard lock(mutex_);
    text_ = std::move(text);
}

std::string LockedText::get() const {
    std::lock_guard lock(mutex_);
    return text_;
}

}  // namespace iotctl::ingest
