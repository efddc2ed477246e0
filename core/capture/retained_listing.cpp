#include "core/capture/retained_listing.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/message_json.h"
#include "core/base/payload.h"

namespace iotctl::capture {

std::string render_retained_text(const std::vector<base::Message>& messages) {
    std::vector<std::string> topics;
    size_t width = 0;
    for (const auto& m : messages) {
        topics.push_back(base::printable(m.topic));
        width = std::max(width, topics.back().size());
    }
    std::string out;
    for (size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        const std::string expiry = m.message_expiry.empty() ? "-" : m.message_expiry + "s";
        out += fmt::format("{:<{}}  {:>8}  {:>7}  {}\n", topics[i], width,
                           fmt::format("{} B", m.payload.size()), expiry,
                           base::printable(m.payload, k_retained_shown_bytes));
    }
    return out;
}

std::string render_retained_json(const std::vector<base::Message>& messages) {
    std::string out;
    for (const auto& m : messages) {
        std::string line;
        base::append_message_json(m, line);
        if (!line.empty() && line.back() == '}') line.pop_back();
        line += fmt::format(",\"size\":{}", m.payload.size());
        if (!m.message_expiry.empty()) line += ",\"expires_in\":" + m.message_expiry;
        out += line + "}\n";
    }
    return out;
}

std::string topic_list(const std::vector<base::Message>& messages, size_t limit) {
    std::string out;
    for (size_t i = 0; i < messages.size() && i < limit; ++i)
        out += (i ? ", " : "") + base::printable(messages[i].topic);
    if (messages.size() > limit) out += fmt::format(" and {} more", messages.size() - limit);
    return out;
}

}  // namespace iotctl::capture
