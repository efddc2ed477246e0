#include "core/base/topic.h"

#include "core/base/payload.h"

namespace iotctl::base {

namespace {
// The problems a topic name and a topic filter share: everything but wildcards.
TopicProblem text_problem(std::string_view text) {
    if (text.empty()) return TopicProblem::empty;
    if (text.size() > k_max_topic_bytes) return TopicProblem::too_long;
    if (text.find('\0') != std::string_view::npos) return TopicProblem::nul;
    if (!is_valid_utf8(text)) return TopicProblem::invalid_utf8;
    return TopicProblem::none;
}

Status check_common(std::string_view text, std::string_view what) {
    if (auto p = text_problem(text); p != TopicProblem::none)
        return usage_error(describe_topic_problem(p, what));
    return {};
}
}  // namespace

TopicProblem topic_name_problem(std::string_view topic) {
    if (auto p = text_problem(topic); p != TopicProblem::none) return p;
    if (topic.find_first_of("+#") != std::string_view::npos) return TopicProblem::wildcard;
    return TopicProblem::none;
}

std::string describe_topic_problem(TopicProblem problem, std::string_view what) {
    std::string text(what);
    switch (problem) {
        case TopicProblem::none:
            return text + " is valid";
        case TopicProblem::empty:
            return text + " is empty";
        case TopicProblem::too_long:
            return text + " is longer than MQTT's limit of 65,535 bytes";
        case TopicProblem::nul:
            return text + " contains a NUL character";
        case TopicProblem::invalid_utf8:
            return text + " is not valid UTF-8";
        case TopicProblem::wildcard:
            return text + " contains a wildcard (+ or #), not allowed when publishing";
    }
    return text;
}

std::vector<std::string_view> topic_levels(std::string_view topic) {
    std::vector<std::string_view> levels;
    size_t start = 0;
    while (true) {
        size_t slash = topic.find('/', start);
        if (slash == std::string_view::npos) {
            levels.push_back(topic.substr(start));
            return levels;
        }
        levels.push_back(topic.substr(start, slash - start));
        start = slash + 1;
    }
}

Status validate_topic_name(std::string_view topic) {
    switch (TopicProblem p = topic_name_problem(topic)) {
        case TopicProblem::none:
            return {};
        case TopicProblem::wildcard:
            return usage_error("invalid topic '" + printable(topic, 200) +
                               "': wildcards are not allowed when publishing");
        default:
            return usage_error(describe_topic_problem(p));
    }
}

Status validate_topic_filter(std::string_view filter) {
    if (auto s = check_common(filter, "topic filter"); !s) return s;
    std::string_view body = filter;
    if (filter.starts_with("$share/")) {
        auto rest = filter.substr(7);
        size_t slash = rest.find('/');
        if (slash == std::string_view::npos || slash == 0 || slash + 1 >= rest.size())
            return usage_error("invalid topic filter '" + std::string(filter) +
                               "': expected $share/<group>/<filter>");
        auto group = rest.substr(0, slash);
        if (group.find_first_of("+#") != std::string_view::npos)
            return usage_error("invalid topic filter '" + std::string(filter) +
                               "': share group name may not contain + or #");
        body = rest.substr(slash + 1);
    }
    auto levels = topic_levels(body);
    for (size_t i = 0; i < levels.size(); ++i) {
        auto level = levels[i];
        if (level.find('#') != std::string_view::npos) {
            if (level != "#" || i + 1 != levels.size())
                return usage_error("invalid topic filter '" + std::string(filter) +
                                   "': '#' must be a whole level and the last one");
        }
        if (level.find('+') != std::string_view::npos && level != "+")
            return usage_error("invalid topic filter '" + std::string(filter) +
                               "': '+' must be a whole level");
    }
    return {};
}

std::string_view strip_share_prefix(std::string_view filter) {
    if (!filter.starts_with("$share/")) return filter;
    auto rest = filter.substr(7);
    size_t slash = rest.find('/');
    return slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
}

bool topic_matches(std::string_view filter, std::string_view topic) {
    filter = strip_share_prefix(filter);
    // Wildcards at the first level never match topics beginning with '$' (MQTT 4.7.2).
    if (!topic.empty() && topic[0] == '$' && !filter.empty() &&
        (filter[0] == '+' || filter[0] == '#'))
        return false;
    size_t f = 0, t = 0;
    while (true) {
        size_t f_end = filter.find('/', f);
        std::string_view f_level =
            filter.substr(f, f_end == std::string_view::npos ? std::string_view::npos : f_end - f);
        if (f_level == "#") return true;  // matches the parent level and everything below
        if (t > topic.size()) return false;
        size_t t_end = topic.find('/', t);
        std::string_view t_level =
            topic.substr(t, t_end == std::string_view::npos ? std::string_view::npos : t_end - t);
        if (f_level != "+" && f_level != t_level) return false;
        bool f_last = f_end == std::string_view::npos;
        bool t_last = t_end == std::string_view::npos;
        if (f_last || t_last) {
            if (f_last && t_last) return true;
            // "a/#" matches "a": the filter has one more level, and it is '#'.
            if (t_last && !f_last) return filter.substr(f_end + 1) == "#";
            return false;
        }
        f = f_end + 1;
        t = t_end + 1;
    }
}

bool any_filter_matches(const std::vector<std::string>& filters, std::string_view topic) {
    for (const auto& f : filters)
        if (topic_matches(f, topic)) return true;
    return false;
}

}  // namespace iotctl::base
