#include "core/base/json_selection.h"

#include <algorithm>
#include <vector>

#include <simdjson.h>

#include "core/base/payload.h"

namespace iotctl::base {

namespace {

using Node = JsonSelection::Node;

// nlohmann's number kinds for a simdjson number: unsigned for every integer >= 0, as nlohmann's
// own parser does.
nlohmann::json number_value(simdjson::dom::element e) {
    switch (e.type()) {
        case simdjson::dom::element_type::INT64: {
            int64_t v = e.get_int64().value_unsafe();
            return v >= 0 ? nlohmann::json(static_cast<uint64_t>(v)) : nlohmann::json(v);
        }
        case simdjson::dom::element_type::UINT64:
            return nlohmann::json(e.get_uint64().value_unsafe());
        default:
            return nlohmann::json(e.get_double().value_unsafe());
    }
}

nlohmann::json scalar_value(simdjson::dom::element e) {
    switch (e.type()) {
        case simdjson::dom::element_type::STRING:
            return nlohmann::json(std::string(e.get_string().value_unsafe()));
        case simdjson::dom::element_type::BOOL:
            return nlohmann::json(e.get_bool().value_unsafe());
        case simdjson::dom::element_type::NULL_VALUE:
            return nlohmann::json(nullptr);
        default:
            return number_value(e);
    }
}

// The whole of `e`. Recursion is bounded by the payload's depth, which the limits of
// parse_json_payload() keep to k_max_json_depth.
nlohmann::json whole_value(simdjson::dom::element e) {
    switch (e.type()) {
        case simdjson::dom::element_type::OBJECT: {
            nlohmann::json out = nlohmann::json::object();
            simdjson::dom::object object = e.get_object().value_unsafe();  // not a temporary's
            for (auto field : object) out[std::string(field.key)] = whole_value(field.value);
            return out;
        }
        case simdjson::dom::element_type::ARRAY: {
            nlohmann::json out = nlohmann::json::array();
            simdjson::dom::array array = e.get_array().value_unsafe();
            for (auto item : array) out.push_back(whole_value(item));
            return out;
        }
        default:
            return scalar_value(e);
    }
}

using Selections = std::vector<const Node*>;

// The selections below `selections` for a member name or array index.
void select_below(const Selections& selections, std::string_view name, Selections& below) {
    below.clear();
    for (const Node* s : selections) {
        if (auto it = s->children.find(name); it != s->children.end()) below.push_back(&it->second);
        if (auto it = s->children.find("*"); it != s->children.end()) below.push_back(&it->second);
    }
}

// What `selections` (the trie nodes reaching `e`, from different paths) keep of `e`.
nlohmann::json selected_value(simdjson::dom::element e, const Selections& selections) {
    for (const Node* s : selections)
        if (s->whole) return whole_value(e);
    Selections below;
    switch (e.type()) {
        case simdjson::dom::element_type::OBJECT: {
            nlohmann::json out = nlohmann::json::object();
            simdjson::dom::object object = e.get_object().value_unsafe();
            for (auto field : object) {
                select_below(selections, field.key, below);
                // A repeated member replaces the earlier one, as in nlohmann's parser.
                if (!below.empty())
                    out[std::string(field.key)] = selected_value(field.value, below);
            }
            return out;
        }
        case simdjson::dom::element_type::ARRAY: {
            nlohmann::json out = nlohmann::json::array();
            simdjson::dom::array array = e.get_array().value_unsafe();
            size_t index = 0;
            for (auto item : array) {
                select_below(selections, std::to_string(index++), below);
                out.push_back(below.empty() ? nlohmann::json() : selected_value(item, below));
            }
            return out;
        }
        default:
            return scalar_value(e);  // a path going on below a scalar finds nothing either way
    }
}

}  // namespace

void JsonSelection::add(const JsonPath& path) {
    Node* node = &root_;
    for (const auto& step : path.steps()) node = &node->children[step];
    node->whole = true;
}

std::optional<nlohmann::json> JsonSelection::parse(std::string_view payload) const {
    // simdjson stops well within base::k_max_json_depth, so a payload it decodes is within the
    // depth limit without the separate scan parse_json_payload() makes; deeper ones, and all it
    // refuses, go to parse_json_payload(), which applies the limits and decides.
    constexpr size_t k_simdjson_depth = k_max_json_depth / 2;
    static_assert(k_simdjson_depth > 0);
    if (payload.size() > max_json_bytes() || payload.find('\0') != std::string_view::npos)
        return std::nullopt;
    // Growing for a larger payload keeps the depth set here.
    thread_local simdjson::dom::parser parser;
    if (parser.max_depth() != k_simdjson_depth &&
        parser.allocate(std::max<size_t>(payload.size(), 4096), k_simdjson_depth))
        return parse_json_payload(payload);
    simdjson::dom::element root;
    if (parser.parse(payload.data(), payload.size()).get(root) != simdjson::SUCCESS)
        return parse_json_payload(payload);
    return selected_value(root, {&root_});
}

}  // namespace iotctl::base
