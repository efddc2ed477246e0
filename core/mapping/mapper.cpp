#include "core/mapping/mapper.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "core/base/payload.h"
#include "core/mapping/engine.h"
#include "core/mapping/presets.h"

namespace iotctl::mapping {
namespace {

using Json = nlohmann::json;

base::Result<Json> toml_node_to_json(const toml::node& node, const std::string& key) {
    if (auto t = node.as_table()) {
        Json out = Json::object();
        for (const auto& [name, child] : *t) {
            std::string child_key =
                key.empty() ? std::string(name.str()) : key + "." + std::string(name.str());
            auto j = toml_node_to_json(child, child_key);
            if (!j) return j.error();
            out[std::string(name.str())] = std::move(*j);
        }
        return out;
    }
    if (auto a = node.as_array()) {
        Json out = Json::array();
        for (size_t i = 0; i < a->size(); ++i) {
            auto j = toml_node_to_json(*a->get(i), key + "[" + std::to_string(i) + "]");
            if (!j) return j.error();
            out.push_back(std::move(*j));
        }
        return out;
    }
    if (auto s = node.as_string()) return Json(s->get());
    if (auto i = node.as_integer()) return Json(i->get());
    if (auto f = node.as_floating_point()) return Json(f->get());
    if (auto b = node.as_boolean()) return Json(b->get());
    return base::usage_error(key + ": dates and times are not supported here");
}

// Parses TOML text into the JSON form rules_from_json reads.
base::Result<Json> toml_to_json(std::string_view text) {
    toml::table table;
    try {
        table = toml::parse(text);
    } catch (const toml::parse_error& e) {
        return base::usage_error("line " + std::to_string(e.source().begin.line) + ", column " +
                                 std::to_string(e.source().begin.column) + ": " +
                                 std::string(e.description()));
    }
    return toml_node_to_json(table, "");
}

bool looks_like_json(std::string_view path, std::string_view text) {
    if (path.ends_with(".json")) return true;
    if (path.ends_with(".toml")) return false;
    size_t first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] == '{';
}

}  // namespace

base::Result<std::unique_ptr<Mapper>> mapper_from_text(std::string_view text, bool json,
                                                       const base::TimeZone& zone) {
    base::Result<nlohmann::json> document =
        json ? base::parse_json_strict(text) : toml_to_json(text);
    if (!document) return base::usage_error(document.error().message);
    auto rules = rules_from_json(*document);
    if (!rules) return rules.error();
    for (auto& rule : *rules)
        if (!rule.timezone) rule.timezone = zone;
    return std::unique_ptr<Mapper>(std::make_unique<RuleMapper>(std::move(*rules)));
}

base::Result<std::unique_ptr<Mapper>> make_preset_mapper(const std::string& preset,
                                                         const base::TimeZone& zone) {
    return make_preset_mapper(std::vector<std::string>{preset}, zone);
}

base::Result<std::unique_ptr<Mapper>> make_preset_mapper(const std::vector<std::string>& presets,
                                                         const base::TimeZone& zone) {
    std::string text;  // each preset is a list of [[rule]] tables: the texts concatenate
    for (const auto& preset : presets) {
        std::string_view one = preset_mapping_text(preset);
        if (one.empty()) {
            return base::usage_error(fmt::format("unknown preset '{}' (expected {})", preset,
                                                 fmt::join(preset_names(), ", ")));
        }
        text += std::string(one) + "\n";
    }
    auto mapper = mapper_from_text(text, false, zone);
    if (!mapper)
        return base::runtime_error(
            fmt::format("preset {}: {}", fmt::join(presets, "+"), mapper.error().message));
    return mapper;
}

base::Result<std::unique_ptr<Mapper>> load_mapping_file(const std::string& path,
                                                        const base::TimeZone& zone) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return base::usage_error(path + ": cannot read: " + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    auto mapper = mapper_from_text(text, looks_like_json(path, text), zone);
    if (!mapper) return base::usage_error(path + ": " + mapper.error().message);
    return mapper;
}

}  // namespace iotctl::mapping
