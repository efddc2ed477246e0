// The pure parts of `replay`: when each message is due, and how its topic is rewritten.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/error.h"

namespace iotctl::capture {

/// `--topic-rewrite FROM=TO`: a topic starting with FROM starts with TO instead (empty FROM
/// prepends TO).
struct TopicRewrite {
    std::string from, to;
};

/// Parses `FROM=TO` (split at the first `=`); usage error when there is no `=`.
base::Result<TopicRewrite> parse_topic_rewrite(const std::string& text);

/// Applies the first rule whose FROM is a prefix of the topic; true when one applied.
bool rewrite_topic(const std::vector<TopicRewrite>& rules, std::string& topic);

/// How fast to replay: `speed` scales the recorded gaps (0: no waiting); `rate` caps msg/s;
/// `loop_gap_ns` separates the last message of a `--loop` pass from the first of the next.
struct ReplayTiming {
    double speed = 1.0;
    double rate = 0;                      // 0: no cap
    int64_t loop_gap_ns = 1'000'000'000;  // kept only when speed > 0 (there is a timing)
};

/// Computes each message's send time as an offset from the start of the replay, from recorded
/// times, so that errors never accumulate (no drift over long runs).
class ReplaySchedule {
  public:
    /// A schedule for the given timing.
    explicit ReplaySchedule(ReplayTiming timing);
    /// The offset (ns after the start) at which to send the next message, recorded at `ts_ns`.
    /// Call once per message, in order; offsets never decrease.
    int64_t due_ns(int64_t ts_ns);
    /// Starts another pass of `--loop`: its first message is due `loop_gap_ns` after the
    /// previous pass's last (right after it at speed 0).
    void next_pass();

  private:
    ReplayTiming timing_;
    std::optional<int64_t> pass_first_ts_;
    int64_t pass_base_ns_ = 0;
    int64_t last_due_ns_ = 0;
    bool any_ = false;
};

}  // namespace iotctl::capture
