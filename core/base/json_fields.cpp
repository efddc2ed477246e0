#include "core/base/json_fields.h"

#include <fmt/format.h>

#include "core/base/payload.h"

namespace iotctl::base {

namespace {

const nlohmann::json* lookup(const nlohmann::json& root, const std::vector<std::string>& parts,
                             int wildcard, const std::string& key, size_t end) {
    const nlohmann::json* at = &root;
    for (size_t i = 0; i < end; ++i) {
        if (!at->is_object()) return nullptr;
        auto it = at->find(static_cast<int>(i) == wildcard ? key : parts[i]);
        if (it == at->end()) return nullptr;
        at = &*it;
    }
    return at;
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

std::string json_cell_text(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return {};
    return dump_json(v);
}

std::vector<std::vector<std::optional<std::string>>> extract_field_rows(
    const nlohmann::json& payload, const std::vector<FieldPath>& fields) {
    std::vector<std::vector<std::optional<std::string>>> rows;
    const FieldPath* wild = nullptr;
    for (const auto& f : fields)
        if (f.wildcard >= 0) wild = &f;
    std::vector<std::string> keys{""};
    if (wild) {
        keys.clear();
        const auto* parent = lookup(payload, wild->parts, -1, "", wild->wildcard);
        if (!parent || !parent->is_object()) return rows;
        for (const auto& item : parent->items()) keys.push_back(item.key());
    }
    for (const auto& key : keys) {
        std::vector<std::optional<std::string>> row;
        bool any = false;
        for (const auto& f : fields) {
            if (f.wildcard >= 0 && f.wildcard + 1 == static_cast<int>(f.parts.size())) {
                row.emplace_back(key);  // `x.*`: the key itself, e.g. the Zigbee short address
                continue;
            }
            const auto* v = lookup(payload, f.parts, f.wildcard, key, f.parts.size());
            if (v) {
                row.emplace_back(json_cell_text(*v));
                any = true;
            } else {
                row.emplace_back(std::nullopt);
            }
        }
        if (any) rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace iotctl::base
