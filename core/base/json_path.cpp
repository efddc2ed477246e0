#include "core/base/json_path.h"

#include <charconv>

namespace iotctl::base {

Result<JsonPath> JsonPath::parse(std::string_view text) {
    JsonPath path;
    path.text_ = std::string(text);
    std::string_view rest = text;
    if (rest == "$") {
        path.absolute_ = true;
        return path;
    }
    if (rest.starts_with("$.")) {
        path.absolute_ = true;
        rest.remove_prefix(2);
    }
    if (rest.empty()) return usage_error("empty JSON path");
    while (true) {
        size_t dot = rest.find('.');
        std::string_view step = rest.substr(0, dot);
        if (step.empty()) return usage_error("empty step in JSON path '" + path.text_ + "'");
        path.steps_.emplace_back(step);
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
    }
    return path;
}

const nlohmann::json* JsonPath::find(const nlohmann::json& root,
                                     const nlohmann::json& current) const {
    const nlohmann::json* node = absolute_ ? &root : &current;
    for (const auto& step : steps_) {
        if (node->is_object()) {
            auto it = node->find(step);
            if (it == node->end()) return nullptr;
            node = &*it;
        } else if (node->is_array()) {
            size_t index = 0;
            auto [end, ec] = std::from_chars(step.data(), step.data() + step.size(), index);
            if (ec != std::errc() || end != step.data() + step.size() || index >= node->size())
                return nullptr;
            node = &(*node)[index];
        } else {
            return nullptr;
        }
    }
    return node;
}

bool JsonPath::any_match(const nlohmann::json& root, const nlohmann::json& current,
                         const std::function<bool(const nlohmann::json&)>& visit) const {
    return match_from(absolute_ ? root : current, 0, visit);
}

// Plain steps are walked in a loop; only a `*` recurses, one JSON level down each time, so the
// depth is bounded by the payload's (base::k_max_json_depth), not by the length of the path.
bool JsonPath::match_from(const nlohmann::json& start, size_t step,
                          const std::function<bool(const nlohmann::json&)>& visit) const {
    const nlohmann::json* node = &start;
    for (; step < steps_.size(); ++step) {
        const std::string& name = steps_[step];
        if (name == "*") {
            if (!node->is_structured()) return false;
            for (const auto& child : *node)
                if (match_from(child, step + 1, visit)) return true;
            return false;
        }
        if (node->is_object()) {
            auto it = node->find(name);
            if (it == node->end()) return false;
            node = &*it;
        } else if (node->is_array()) {
            size_t index = 0;
            auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), index);
            if (ec != std::errc() || end != name.data() + name.size() || index >= node->size())
                return false;
            node = &(*node)[index];
        } else {
            return false;
        }
    }
    return visit(*node);
}

std::string json_type_words(const nlohmann::json& node) {
    switch (node.type()) {
        case nlohmann::json::value_t::null:
            return "JSON null";
        case nlohmann::json::value_t::object:
            return "a JSON object";
        case nlohmann::json::value_t::array:
            return "a JSON array";
        case nlohmann::json::value_t::string:
            return "a string";
        case nlohmann::json::value_t::boolean:
            return "a boolean";
        case nlohmann::json::value_t::binary:
            return "binary data";
        case nlohmann::json::value_t::discarded:
            return "invalid JSON";
        default:
            return "a number";
    }
}

}  // namespace iotctl::base
