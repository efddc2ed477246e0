#include "core/base/message_json.h"

#include "core/base/payload.h"
#include "core/base/timestamps.h"

namespace iotctl::base {

nlohmann::json message_to_json(const Message& m) {
    nlohmann::json j;
    j["ts"] = iso8601_utc(m.ts_ns, 6);
    j["topic"] = m.topic;
    j["qos"] = m.qos;
    j["retain"] = m.retain;
    if (!is_valid_utf8(m.payload)) {
        j["payload"] = base64_encode(m.payload);
        j["payload_encoding"] = "base64";
    } else if (auto parsed = parse_json_payload(m.payload)) {
        j["payload"] = std::move(*parsed);
    } else {
        j["payload"] = m.payload;
    }
    if (!m.user_properties.empty()) {
        auto& props = j["user_properties"] = nlohmann::json::array();
        for (const auto& [k, v] : m.user_properties) props.push_back({k, v});
    }
    if (!m.content_type.empty()) j["content_type"] = m.content_type;
    if (!m.response_topic.empty()) j["response_topic"] = m.response_topic;
    return j;
}

Result<Message> message_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return runtime_error("expected a JSON object");
    Message m;
    auto topic = j.find("topic");
    if (topic == j.end() || !topic->is_string()) return runtime_error("missing string \"topic\"");
    m.topic = topic->get<std::string>();
    if (auto q = j.find("qos"); q != j.end()) {
        if (!q->is_number_integer() || q->get<int>() < 0 || q->get<int>() > 2)
            return runtime_error("\"qos\" must be 0, 1 or 2");
        m.qos = q->get<int>();
    }
    if (auto r = j.find("retain"); r != j.end()) {
        if (r->is_boolean())
            m.retain = r->get<bool>();
        else if (r->is_number_integer())
            m.retain = r->get<int>() != 0;
        else
            return runtime_error("\"retain\" must be true or false");
    }
    if (auto ts = j.find("ts"); ts != j.end()) {
        if (ts->is_string()) {
            auto parsed = parse_iso8601(ts->get<std::string>());
            if (!parsed) return runtime_error("\"ts\" is not an ISO-8601 time");
            m.ts_ns = *parsed;
        } else if (ts->is_number()) {
            double secs = ts->get<double>();
            if (!(secs >= -k_max_unix_seconds && secs <= k_max_unix_seconds))
                return runtime_error("\"ts\" is out of range");
            m.ts_ns = static_cast<int64_t>(secs * 1e9);
        }
    }
    auto p = j.find("payload");
    if (p == j.end() || p->is_null()) {
        m.payload.clear();
        if (p != j.end() && p->is_null()) m.payload = "null";
    } else if (p->is_string()) {
        auto enc = j.find("payload_encoding");
        if (enc != j.end() && *enc == "base64") {
            auto decoded = base64_decode(p->get<std::string>());
            if (!decoded) return runtime_error("\"payload\" is not valid base64");
            m.payload = std::move(*decoded);
        } else {
            m.payload = p->get<std::string>();
        }
    } else {
        m.payload = dump_json(*p);
    }
    if (auto up = j.find("user_properties"); up != j.end() && up->is_array()) {
        for (const auto& kv : *up)
            if (kv.is_array() && kv.size() == 2 && kv[0].is_string() && kv[1].is_string())
                m.user_properties.emplace_back(kv[0].get<std::string>(), kv[1].get<std::string>());
    }
    if (auto ct = j.find("content_type"); ct != j.end() && ct->is_string()) m.content_type = *ct;
    if (auto rt = j.find("response_topic"); rt != j.end() && rt->is_string())
        m.response_topic = *rt;
    return m;
}

}  // namespace iotctl::base
