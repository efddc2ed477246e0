// Lock-free building blocks of the ingest metrics: a latency histogram with fixed buckets, and a
// short text (the last error) guarded by a mutex that only the error path and readers take.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace iotctl::ingest {

/// Durations in fixed buckets (seconds), updated with relaxed atomics from one writer thread.
class LatencyHistogram {
  public:
    /// Upper bounds of the buckets in seconds; a last bucket (+Inf) holds the rest.
    static constexpr std::array<double, 14> k_bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.25,  0.5,    1,     2.5,  5,     10,   30};
    /// A consistent-enough copy for rendering: cumulative counts per bound, then +Inf.
    struct Snapshot {
        std::array<uint64_t, k_bounds.size() + 1> cumulative{};
        double sum_seconds = 0;
        uint64_t count = 0;
    };
    /// Records one duration.
    void observe(double seconds);
    /// Reads the counts (relaxed; a concurrent observe may show in count but not yet a bucket).
    Snapshot snapshot() const;

  private:
    std::array<std::atomic<uint64_t>, k_bounds.size() + 1> buckets_{};
    std::atomic<uint64_t> sum_ns_{0};
};

/// A string written rarely (on errors) and read by the metrics and status threads.
class LockedText {
  public:
    /// Replaces the text.
    void set(std::string text);
    /// A copy of the text.
    std::string get() const;

  private:
    mutable std::mutex mutex_;
    std::string text_;
};

}  // namespace iotctl::ingest
