#include "core/capture/schema.h"

#include <nlohmann/json.hpp>

#include "core/base/message_json.h"
#include "core/base/payload.h"

namespace iotctl::capture {

namespace {
constexpr const char* k_property_keys[] = {"user_properties", "content_type", "response_topic"};
}  // namespace

std::optional<std::string> properties_to_json(const base::Message& m) {
    if (m.user_properties.empty() && m.content_type.empty() && m.response_topic.empty())
        return std::nullopt;
    // Reuse the --json encoding of properties, keeping only the property keys.
    base::Message props_only;
    props_only.user_properties = m.user_properties;
    props_only.content_type = m.content_type;
    props_only.response_topic = m.response_topic;
    nlohmann::json full = base::message_to_json(props_only);
    nlohmann::json j = nlohmann::json::object();
    for (const char* key : k_property_keys)
        if (auto it = full.find(key); it != full.end()) j[key] = *it;
    return base::dump_json(j);
}

base::Status properties_from_json(std::string_view json, base::Message& m) {
    auto parsed = base::parse_json_payload(json);
    if (!parsed || !parsed->is_object()) return base::runtime_error("malformed properties column");
    (*parsed)["topic"] = "";
    auto decoded = base::message_from_json(*parsed);
    if (!decoded) return decoded.error();
    m.user_properties = std::move(decoded->user_properties);
    m.content_type = std::move(decoded->content_type);
    m.response_topic = std::move(decoded->response_topic);
    return {};
}

std::string merged_protocol_version(const std::string& existing, const std::string& now) {
    if (existing.empty() || existing == now) return now;
    return "mixed";
}

}  // namespace iotctl::capture
