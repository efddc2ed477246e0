// libFuzzer target: topic filter/name validation and matching (core/base/topic.cpp).
// Input: a filter, a newline, a topic name. Besides "no crash", checks that topic_matches agrees
// with a plain level-by-level reading of MQTT 3.1.1 §4.7 for every valid filter and topic.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/topic.h"

namespace {

bool reference_match(std::string_view filter, std::string_view topic) {
    auto f = iotctl::base::topic_levels(iotctl::base::strip_share_prefix(filter));
    auto t = iotctl::base::topic_levels(topic);
    if (topic.starts_with('$') && (f[0] == "+" || f[0] == "#")) return false;
    for (size_t i = 0; i < f.size(); ++i) {
        if (f[i] == "#") return true;
        if (i >= t.size() || (f[i] != "+" && f[i] != t[i])) return false;
    }
    return f.size() == t.size();
}

void check(bool ok) {
    if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    size_t newline = input.find('\n');
    std::string_view filter = input.substr(0, newline);
    std::string_view topic = newline == std::string_view::npos ? filter : input.substr(newline + 1);

    bool filter_ok = iotctl::base::validate_topic_filter(filter).ok();
    bool topic_ok = iotctl::base::validate_topic_name(topic).ok();
    bool matches = iotctl::base::topic_matches(filter, topic);
    auto levels = iotctl::base::topic_levels(topic);
    check(!levels.empty());

    if (filter_ok && topic_ok) check(matches == reference_match(filter, topic));
    if (topic_ok && !topic.starts_with("$share/")) {
        check(
            iotctl::base::topic_matches(topic, topic));  // a topic name is a filter matching itself
        std::string plus;
        for (size_t i = 0; i < levels.size(); ++i) plus += i ? "/+" : "+";
        check(iotctl::base::topic_matches(plus, topic) == !topic.starts_with('$'));
        check(iotctl::base::topic_matches("#", topic) == !topic.starts_with('$'));
    }
    return 0;
}
