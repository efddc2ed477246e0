#include "core/mapping.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/mapping_engine.h"
#include "core/mapping_presets.h"
#include "core/payload.h"

namespace iotctl {
namespace {

bool looks_like_json(std::string_view path, std::string_view text) {
    if (path.ends_with(".json")) return true;
    if (path.ends_with(".toml")) return false;
    size_t first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] == '{';
}

}  // namespace

Result<std::unique_ptr<Mapper>> mapper_from_text(std::string_view text, bool json) {
    Result<nlohmann::json> document = json ? parse_json_strict(text) : toml_to_json(text);
    if (!document) return usage_error(document.error().message);
    auto rules = rules_from_json(*document);
    if (!rules) return rules.error();
    return std::unique_ptr<Mapper>(std::make_unique<RuleMapper>(std::move(*rules)));
}

Result<std::unique_ptr<Mapper>> make_preset_mapper(const std::string& preset) {
    std::string_view text = preset_mapping_text(preset);
    if (text.empty()) {
        std::string names;
        for (auto n : preset_names()) names += (names.empty() ? "" : ", ") + std::string(n);
        return usage_error("unknown preset '" + preset + "' (expected " + names + ")");
    }
    auto mapper = mapper_from_text(text, false);
    if (!mapper) return runtime_error("preset " + preset + ": " + mapper.error().message);
    return mapper;
}

Result<std::unique_ptr<Mapper>> load_mapping_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return usage_error(path + ": cannot read: " + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    auto mapper = mapper_from_text(text, looks_like_json(path, text));
    if (!mapper) return usage_error(path + ": " + mapper.error().message);
    return mapper;
}

}  // namespace iotctl
