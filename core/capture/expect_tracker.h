// `iotctl expect`: when the awaited messages have arrived (a count of matches, or matches on
// N distinct topics), and the one-line account of what did arrive when they have not.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace iotctl::capture {

/// What `expect` waits for: `count` matching messages, or with `distinct_topics` > 0 that many
/// topics with at least one match each.
struct ExpectGoal {
    int count = 1;
    int distinct_topics = 0;
};

/// Counts the messages on the subscription and the matches; not thread-safe (one caller).
class ExpectTracker {
  public:
    /// A tracker for `goal`.
    explicit ExpectTracker(ExpectGoal goal) : goal_(goal) {}
    /// Records one message on the subscription and whether it matched the condition.
    void seen(std::string_view topic, std::string_view payload, bool matched);
    /// True once the goal is reached.
    bool satisfied() const;
    /// Messages seen on the subscription.
    uint64_t messages() const { return messages_; }
    /// Matching messages seen.
    uint64_t matched() const { return matched_; }
    /// What arrived, for the timeout line: `14 messages on F, 2 of 3 topics matched (missing:
    /// T); last: PAYLOAD` (the payload cut to 200 bytes, made printable); `filters` are the
    /// subscription's topic filters.
    std::string summary(const std::vector<std::string>& filters) const;

  private:
    ExpectGoal goal_;
    uint64_t messages_ = 0, matched_ = 0;
    std::map<std::string, bool, std::less<>> topics_;  // topic -> has a match (distinct mode)
    size_t topics_matched_ = 0;
    std::string last_payload_;
    bool any_ = false;
};

}  // namespace iotctl::capture
