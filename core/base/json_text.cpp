#include "core/base/json_text.h"

#include <algorithm>
#include <cstring>

#include "core/base/payload.h"

namespace iotctl::base {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t skip_space(std::string_view text, size_t pos) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
    return pos;
}

// The offset just past the string token that opens at `pos` (or text.size() when unterminated).
size_t string_end(std::string_view text, size_t pos) {
    const char* data = text.data();
    size_t i = pos + 1;
    while (i < text.size()) {
        // Only `"` and `\` matter inside a string: jump to the next of either.
        const void* quote = std::memchr(data + i, '"', text.size() - i);
        size_t q = quote ? static_cast<const char*>(quote) - data : text.size();
        const void* slash = std::memchr(data + i, '\\', q - i);
        if (!slash) return q < text.size() ? q + 1 : text.size();
        i = static_cast<size_t>(static_cast<const char*>(slash) - data) + 2;
    }
    return text.size();
}

// Walks `text` from `pos`, stepping over strings, and calls `step(depth)` after each bracket
// with the nesting depth after it; returns the position after the bracket for which `step` said
// stop, or text.size(). The one bracket walk of the depth pre-scan and of json_value_end.
template <typename Step>
size_t walk_brackets(std::string_view text, size_t pos, Step step) {
    size_t depth = 0;
    for (size_t i = pos; i < text.size(); ++i) {
        switch (text[i]) {
            case '"':
                i = string_end(text, i) - 1;
                break;
            case '[':
            case '{':
                if (step(++depth)) return i + 1;
                break;
            case ']':
            case '}':
                if (depth > 0) --depth;
                if (step(depth)) return i + 1;
                break;
            default:
                break;
        }
    }
    return text.size();
}

}  // namespace

size_t json_nesting_depth(std::string_view text, size_t limit) {
    size_t deepest = 0;
    walk_brackets(text, 0, [&](size_t depth) {
        deepest = std::max(deepest, depth);
        return deepest > limit;
    });
    return deepest;
}

size_t json_value_end(std::string_view text, size_t pos) {
    if (pos >= text.size()) return text.size();
    char c = text[pos];
    if (c == '"') return string_end(text, pos);
    if (c != '{' && c != '[') {
        while (pos < text.size() && !is_space(text[pos]) && text[pos] != ',' && text[pos] != ']' &&
               text[pos] != '}')
            ++pos;
        return pos;
    }
    return walk_brackets(text, pos, [](size_t depth) { return depth == 0; });
}

std::string_view json_trim(std::string_view text) {
    size_t begin = skip_space(text, 0);
    size_t end = text.size();
    while (end > begin && is_space(text[end - 1])) --end;
    return text.substr(begin, end - begin);
}

std::vector<JsonMember> json_members(std::string_view text) {
    std::vector<JsonMember> members;
    size_t pos = skip_space(text, 0);
    if (pos >= text.size() || text[pos] != '{') return members;
    pos = skip_space(text, pos + 1);
    while (pos < text.size() && text[pos] == '"') {
        size_t key_end = string_end(text, pos);
        std::string_view key = text.substr(pos, key_end - pos);
        pos = skip_space(text, key_end);
        if (pos >= text.size() || text[pos] != ':') break;
        pos = skip_space(text, pos + 1);
        size_t value_end = json_value_end(text, pos);
        members.push_back(JsonMember{key, text.substr(pos, value_end - pos)});
        pos = skip_space(text, value_end);
        if (pos >= text.size() || text[pos] != ',') break;
        pos = skip_space(text, pos + 1);
    }
    return members;
}

std::optional<std::string_view> json_member(std::string_view text, std::string_view key) {
    std::optional<std::string_view> found;
    for (const auto& m : json_members(text))
        if (json_string_equals(m.key, key)) found = m.value;
    return found;
}

std::string json_string_value(std::string_view token) {
    if (token.size() < 2) return {};
    std::string_view inner = token.substr(1, token.size() - 2);
    if (inner.find('\\') == std::string_view::npos) return std::string(inner);
    auto parsed = parse_json_strict(token);  // one string token: no size limit, depth 0
    if (!parsed || !parsed->is_string()) return std::string(inner);
    return std::move(parsed->get_ref<std::string&>());
}

bool json_string_equals(std::string_view token, std::string_view text) {
    if (token.size() < 2) return false;
    std::string_view inner = token.substr(1, token.size() - 2);
    if (inner.find('\\') == std::string_view::npos) return inner == text;
    return json_string_value(token) == text;
}

std::string json_compact(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '"') {
            size_t end = string_end(text, i);
            out.append(text.substr(i, end - i));
            i = end - 1;
        } else if (!is_space(text[i])) {
            out += text[i];
        }
    }
    return out;
}

}  // namespace iotctl::base
