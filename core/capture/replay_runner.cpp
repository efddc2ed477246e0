#include "core/capture/replay_runner.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "core/base/prompt_wakeups.h"
#include "core/base/stop_signal.h"
#include "core/base/topic.h"

namespace iotctl::capture {

namespace {

class SteadyClock : public ReplayClock {
  public:
    int64_t now_ns() override {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
    bool sleep_until(int64_t t_ns) override {
        // Long waits listen for SIGINT; the last stretch is a plain precise sleep.
        constexpr int64_t k_precise_ns = 20'000'000;
        int64_t left = t_ns - now_ns();
        if (left > k_precise_ns) {
            auto ms = std::chrono::milliseconds((left - k_precise_ns) / 1'000'000);
            if (ms.count() > 0 && base::wait_for_stop(ms)) return false;
        }
        // No spinning before the deadline: on a loaded machine a spinning thread loses its
        // scheduler credit and is woken later (measured: a worse p99 than a plain sleep).
        std::this_thread::sleep_until(
            std::chrono::steady_clock::time_point(std::chrono::nanoseconds(t_ns)));
        return !iotctl::base::stop_requested();
    }
    bool stop_requested() override { return iotctl::base::stop_requested(); }
};

}  // namespace

std::unique_ptr<ReplayClock> make_steady_clock(bool timed) {
    if (timed) base::request_prompt_wakeups();
    return std::make_unique<SteadyClock>();
}

std::string describe_skipped(const ReplayStats& stats) {
    std::string out;
    for (const auto& [problem, count] : stats.skipped_by)
        out += fmt::format("{}{} ({})", out.empty() ? "" : "; ",
                           base::describe_topic_problem(problem), count);
    return out;
}

namespace {

// How late each timed send was, in 10 us steps up to 100 ms, for the 99th percentile.
class LateHistogram {
  public:
    void add(int64_t late_ns) {
        ++counts_[std::min<size_t>(static_cast<size_t>(std::max<int64_t>(late_ns, 0) / k_step_ns),
                                   counts_.size() - 1)];
        ++total_;
    }
    int64_t percentile_ns(double q, int64_t max_ns) const {
        uint64_t want = static_cast<uint64_t>(q * static_cast<double>(total_)), seen = 0;
        for (size_t i = 0; i < counts_.size(); ++i)
            if ((seen += counts_[i]) > want) return std::min<int64_t>((i + 1) * k_step_ns, max_ns);
        return max_ns;
    }

  private:
    static constexpr int64_t k_step_ns = 10'000;
    std::vector<uint64_t> counts_ = std::vector<uint64_t>(10'001, 0);
    uint64_t total_ = 0;
};

}  // namespace

base::Result<ReplayStats> run_replay(const SourceFactory& open, Publisher& out, ReplayClock& clock,
                                     const ReplayOptions& opts,
                                     const std::function<void(const ReplayProgress&)>& progress) {
    ReplayStats stats;
    LateHistogram late;
    ReplaySchedule schedule(opts.timing);
    const int64_t opened = clock.now_ns();
    std::optional<int64_t> start_at;  // when the first message is ready: the schedule's origin
    base::Message m;
    ReplayProgress where;
    for (int pass = 1; opts.loops == 0 || pass <= opts.loops; ++pass) {
        if (pass > 1) schedule.next_pass();
        auto source = open();
        if (!source) return source.error();
        where.pass = pass;
        while (true) {
            if (clock.stop_requested()) {
                stats.interrupted = true;
                break;
            }
            auto more = (*source)->next(m);
            if (!more) return more.error();
            if (!*more) break;
            if (!start_at) start_at = clock.now_ns();
            const int64_t start = *start_at;
            const int64_t due = start + schedule.due_ns(m.ts_ns);
            if (opts.timing.speed > 0 || opts.timing.rate > 0) {
                if (clock.now_ns() < due && !clock.sleep_until(due)) {
                    stats.interrupted = true;
                    break;
                }
            }
            rewrite_topic(opts.rewrites, m.topic);
            if (auto problem = base::topic_name_problem(m.topic);
                problem != base::TopicProblem::none) {
                ++stats.skipped;
                ++stats.skipped_by[problem];
                continue;
            }
            if (opts.qos) m.qos = *opts.qos;
            if (opts.retain) m.retain = *opts.retain;
            const int64_t now = clock.now_ns();
            if (opts.timing.speed > 0 || opts.timing.rate > 0) {
                stats.max_late_ns = std::max(stats.max_late_ns, now - due);
                late.add(now - due);
            }
            if (auto s = out.publish(std::move(m)); !s) return s.error();  // next() refills m
            ++stats.sent;
            where.sent = stats.sent;
            where.elapsed_ns = now - start;
            where.ts_ns = m.ts_ns;
            if (progress) progress(where);
        }
        stats.passes = pass;
        if (stats.interrupted) break;
    }
    if (auto s = out.flush(); !s) return s.error();
    stats.elapsed_ns = clock.now_ns() - start_at.value_or(opened);
    stats.p99_late_ns = late.percentile_ns(0.99, stats.max_late_ns);
    return stats;
}

}  // namespace iotctl::capture
