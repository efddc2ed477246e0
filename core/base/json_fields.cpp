#include "core/base/json_fields.h"

#include <map>

#include <fmt/format.h>

#include "core/base/json_text.h"

namespace iotctl::base {

namespace {

// The value at parts[from, to) under `root`; nullopt where a step is not an object member.
std::optional<std::string_view> lookup(std::string_view root, const std::vector<std::string>& parts,
                                       size_t from, size_t to) {
    std::optional<std::string_view> at = json_trim(root);
    for (size_t i = from; i < to && at; ++i) at = json_member(*at, parts[i]);
    return at;
}

std::optional<std::string> cell(const std::optional<std::string_view>& value) {
    if (!value) return std::nullopt;
    return json_cell_text(*value);
}

std::vector<std::string> split_dots(const std::string& text) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        auto dot = text.find('.', start);
        parts.push_back(text.substr(start, dot - start));
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

}  // namespace

Result<std::vector<FieldPath>> parse_field_list(const std::string& list) {
    std::vector<FieldPath> fields;
    std::optional<std::vector<std::string>> prefix;
    size_t start = 0;
    while (start <= list.size()) {
        auto comma = list.find(',', start);
        std::string text =
            list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        start = comma == std::string::npos ? list.size() + 1 : comma + 1;
        FieldPath f{text, split_dots(text), -1};
        for (size_t i = 0; i < f.parts.size(); ++i) {
            if (f.parts[i].empty())
                return usage_error(fmt::format("invalid --fields entry '{}': empty name", text));
            if (f.parts[i] != "*") continue;
            if (f.wildcard >= 0)
                return usage_error(
                    fmt::format("invalid --fields entry '{}': only one * per field", text));
            f.wildcard = static_cast<int>(i);
        }
        if (f.wildcard >= 0) {
            std::vector<std::string> p(f.parts.begin(), f.parts.begin() + f.wildcard);
            if (prefix && *prefix != p)
                return usage_error(fmt::format(
                    "invalid --fields entry '{}': every field with * must share the part before it",
                    text));
            prefix = std::move(p);
        }
        fields.push_back(std::move(f));
    }
    return fields;
}

std::string json_cell_text(std::string_view value) {
    if (value.empty() || value == "null") return {};
    if (value.front() == '"') return json_string_value(value);
    if (value.front() == '{' || value.front() == '[') return json_compact(value);
    return std::string(value);
}

std::vector<std::vector<std::optional<std::string>>> extract_field_rows(
    std::string_view payload, const std::vector<FieldPath>& fields) {
    std::vector<std::vector<std::optional<std::string>>> rows;
    const FieldPath* wild = nullptr;
    for (const auto& f : fields)
        if (f.wildcard >= 0) wild = &f;
    if (!wild) {
        std::vector<std::optional<std::string>> row;
        bool any = false;
        for (const auto& f : fields) {
            row.push_back(cell(lookup(payload, f.parts, 0, f.parts.size())));
            any = any || row.back();
        }
        if (any) rows.push_back(std::move(row));
        return rows;
    }
    // One row per key of the object at the shared prefix, sorted; a repeated key keeps its last
    // value (as a JSON document would).
    auto parent = lookup(payload, wild->parts, 0, static_cast<size_t>(wild->wildcard));
    if (!parent || parent->empty() || parent->front() != '{') return rows;
    std::map<std::string, std::string_view> members;
    for (const auto& m : json_members(*parent))
        members.insert_or_assign(json_string_value(m.key), m.value);
    std::vector<std::optional<std::string>> fixed;  // fields without `*`: the same in every row
    for (const auto& f : fields)
        fixed.push_back(f.wildcard < 0 ? cell(lookup(payload, f.parts, 0, f.parts.size()))
                                       : std::nullopt);
    for (const auto& [key, member] : members) {
        std::vector<std::optional<std::string>> row;
        bool any = false;
        for (size_t i = 0; i < fields.size(); ++i) {
            const FieldPath& f = fields[i];
            if (f.wildcard < 0) {
                row.push_back(fixed[i]);
                any = any || row.back();
            } else if (f.wildcard + 1 == static_cast<int>(f.parts.size())) {
                row.emplace_back(key);  // `x.*`: the key itself, e.g. the Zigbee short address
                any = true;             // asked for: a row per key, its missing leaves empty
            } else {
                row.push_back(cell(lookup(member, f.parts, f.wildcard + 1, f.parts.size())));
                any = any || row.back();
            }
        }
        if (any) rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace iotctl::base
