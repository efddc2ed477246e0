#include "core/base/number_text.h"

#include <charconv>
#include <cmath>

namespace iotctl::base {

std::optional<double> parse_number_text(std::string_view text) {
    auto is_ascii_alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (text.empty() || !(is_ascii_alnum(text[0]) || text[0] == '-' || text[0] == '.'))
        return std::nullopt;
    size_t digits = text[0] == '-' ? 1 : 0;  // a leading zero may only start `0` or `0.x`
    if (text.size() > digits + 1 && text[digits] == '0' && text[digits + 1] >= '0' &&
        text[digits + 1] <= '9')
        return std::nullopt;
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(d))
        return std::nullopt;
    return d;
}

}  // namespace iotctl::base
