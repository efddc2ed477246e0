#include "core/capture/replay_plan.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace iotctl::capture {

base::Result<TopicRewrite> parse_topic_rewrite(const std::string& text) {
    auto eq = text.find('=');
    if (eq == std::string::npos)
        return base::usage_error(
            fmt::format("invalid --topic-rewrite '{}': expected FROM=TO", text));
    return TopicRewrite{text.substr(0, eq), text.substr(eq + 1)};
}

bool rewrite_topic(const std::vector<TopicRewrite>& rules, std::string& topic) {
    for (const auto& r : rules) {
        if (topic.compare(0, r.from.size(), r.from) != 0) continue;
        topic.replace(0, r.from.size(), r.to);
        return true;
    }
    return false;
}

ReplaySchedule::ReplaySchedule(ReplayTiming timing) : timing_(timing) {}

int64_t ReplaySchedule::due_ns(int64_t ts_ns) {
    if (!pass_first_ts_) pass_first_ts_ = ts_ns;
    int64_t due = pass_base_ns_;
    if (timing_.speed > 0) {
        double gap = static_cast<double>(ts_ns - *pass_first_ts_) / timing_.speed;
        due += static_cast<int64_t>(std::llround(gap));
    }
    if (any_) {
        due = std::max(due, last_due_ns_);  // a clock step back in the capture: send at once
        if (timing_.rate > 0)
            due = std::max(due,
                           last_due_ns_ + static_cast<int64_t>(std::llround(1e9 / timing_.rate)));
    }
    any_ = true;
    last_due_ns_ = due;
    return due;
}

void ReplaySchedule::next_pass() {
    pass_first_ts_.reset();
    // A capture of one message (or one instant) has no span: without the gap its passes would
    // all be due at once, and a --loop 0 would send as fast as it could.
    pass_base_ns_ = last_due_ns_ + (timing_.speed > 0 ? timing_.loop_gap_ns : 0);
}

}  // namespace iotctl::capture
