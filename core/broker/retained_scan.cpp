#include "core/broker/retained_scan.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/topic.h"

namespace iotctl::broker {

void RetainedScan::subscribed(int64_t now_ns) {
    std::lock_guard lock(mutex_);
    last_ns_ = std::max(last_ns_, now_ns);
}

bool RetainedScan::add(base::Message&& message) {
    if (!message.retain) return false;
    std::lock_guard lock(mutex_);
    last_ns_ = std::max(last_ns_, message.ts_ns);
    if (message.payload.empty()) {
        by_topic_.erase(message.topic);
    } else {
        std::string topic = message.topic;
        by_topic_.insert_or_assign(std::move(topic), std::move(message));
    }
    return true;
}

bool RetainedScan::quiet(int64_t now_ns) const {
    std::lock_guard lock(mutex_);
    return last_ns_ != 0 && now_ns - last_ns_ >= quiet_ns_;
}

std::vector<base::Message> RetainedScan::messages() const {
    std::lock_guard lock(mutex_);
    std::vector<base::Message> out;
    out.reserve(by_topic_.size());
    for (const auto& [topic, message] : by_topic_) out.push_back(message);
    return out;
}

bool has_wildcard(const std::string& filter) {
    return filter.find_first_of("+#") != std::string::npos;
}

base::Status check_retained_filters(const std::vector<std::string>& filters, bool clearing,
                                    bool yes) {
    if (filters.empty())
        return base::usage_error("no topic filter given: e.g. retained ls 'hexaboard/#'");
    for (const auto& filter : filters) {
        if (auto s = base::validate_topic_filter(filter); !s) return s;
        if (base::strip_share_prefix(filter) != filter)
            return base::usage_error(fmt::format(
                "'{}' is a shared subscription, which gets no retained messages: give the "
                "filter without $share/GROUP/",
                filter));
        if (clearing && !yes && (filter == "#" || filter == "+/#"))
            return base::usage_error(fmt::format(
                "clearing '{}' clears every retained message on the broker: add --yes if you "
                "mean it (or look first: retained clear '{}' --dry-run)",
                filter, filter));
    }
    return {};
}

}  // namespace iotctl::broker
