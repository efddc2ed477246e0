#include "core/mapping/name_template.h"

#include <charconv>

namespace iotctl::mapping {

base::Result<TopicTemplate> TopicTemplate::parse(std::string_view text) {
    TopicTemplate t;
    std::string literal;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '{') {
            if (text[i] == '}')
                return base::usage_error("unmatched '}' in \"" + std::string(text) + "\"");
            literal += text[i];
            continue;
        }
        size_t close = text.find('}', i);
        if (close == std::string_view::npos)
            return base::usage_error("unmatched '{' in \"" + std::string(text) + "\"");
        std::string_view inside = text.substr(i + 1, close - i - 1);
        int level = 0;
        if (inside != "topic") {
            auto [end, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), level);
            if (ec != std::errc() || end != inside.data() + inside.size() || level < 1)
                return base::usage_error("unknown placeholder {" + std::string(inside) +
                                         "} (expected {topic} or a topic level {1}, {2}, ...)");
        }
        if (!literal.empty()) t.pieces_.push_back(Piece{std::move(literal), -1});
        literal.clear();
        t.pieces_.push_back(Piece{{}, level});
        i = close;
    }
    if (!literal.empty()) t.pieces_.push_back(Piece{std::move(literal), -1});
    return t;
}

TopicTemplate TopicTemplate::level(int level) {
    TopicTemplate t;
    t.pieces_.push_back(Piece{{}, level});
    return t;
}

std::string TopicTemplate::render(std::string_view topic,
                                  const std::vector<std::string_view>& levels) const {
    if (pieces_.size() == 1 && pieces_[0].level == -1) return pieces_[0].literal;
    std::string out;
    for (const auto& piece : pieces_) {
        if (piece.level < 0)
            out += piece.literal;
        else if (piece.level == 0)
            out += topic;
        else if (size_t(piece.level) <= levels.size())
            out += levels[piece.level - 1];
    }
    return out;
}

}  // namespace iotctl::mapping
