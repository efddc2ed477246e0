#include "core/capture/expect_tracker.h"

#include <fmt/format.h>

#include "core/base/payload.h"

namespace iotctl::capture {

namespace {
constexpr size_t k_last_payload_bytes = 200;
constexpr size_t k_missing_names = 5;  // topics named in the timeout line at most
}  // namespace

void ExpectTracker::seen(std::string_view topic, std::string_view payload, bool matched) {
    ++messages_;
    any_ = true;
    last_payload_.assign(payload.substr(0, k_last_payload_bytes + 1));
    if (matched) ++matched_;
    if (goal_.distinct_topics <= 0) return;
    auto it = topics_.find(topic);
    if (it == topics_.end()) it = topics_.emplace(std::string(topic), false).first;
    if (matched && !it->second) {
        it->second = true;
        ++topics_matched_;
    }
}

bool ExpectTracker::satisfied() const {
    if (goal_.distinct_topics > 0) return topics_matched_ >= size_t(goal_.distinct_topics);
    return matched_ >= uint64_t(goal_.count);
}

std::string ExpectTracker::summary(const std::vector<std::string>& filters) const {
    std::string line = fmt::format("{} message{} on {}", messages_, messages_ == 1 ? "" : "s",
                                   fmt::join(filters, ", "));
    if (goal_.distinct_topics > 0) {
        line += fmt::format(", {} of {} topics matched", topics_matched_, goal_.distinct_topics);
        std::vector<std::string> missing;
        size_t unmatched = 0;
        for (const auto& [topic, has_match] : topics_) {
            if (has_match) continue;
            if (++unmatched <= k_missing_names) missing.push_back(topic);
        }
        if (unmatched > missing.size())
            missing.push_back(fmt::format("{} more", unmatched - missing.size()));
        size_t unseen = topics_.size() < size_t(goal_.distinct_topics)
                            ? goal_.distinct_topics - topics_.size()
                            : 0;
        if (unseen > 0)
            missing.push_back(
                fmt::format("{} more topic{} not seen", unseen, unseen == 1 ? "" : "s"));
        if (!missing.empty()) line += fmt::format(" (missing: {})", fmt::join(missing, ", "));
    } else {
        line += fmt::format(", {} of {} matched", matched_, goal_.count);
    }
    if (any_) line += "; last: " + base::printable(last_payload_, k_last_payload_bytes);
    return line;
}

}  // namespace iotctl::capture
