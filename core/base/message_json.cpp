#include "core/base/message_json.h"

#include <cstring>

#include <fmt/format.h>

#include "core/base/json_text.h"
#include "core/base/payload.h"
#include "core/base/timestamps.h"

namespace iotctl::base {

namespace {

// Whether JSON payload text can stand in the line as it is and be read back byte for byte: it
// starts with the value itself (not a string, which would read back without its quotes, nor
// white space or a byte order mark), ends with it, and has no line break.
bool embeddable(std::string_view json) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    return !json.empty() &&
           std::string_view("{[-0123456789tfn").find(json.front()) != std::string_view::npos &&
           !space(json.back()) && !std::memchr(json.data(), '\n', json.size()) &&
           !std::memchr(json.data(), '\r', json.size());
}

// A --json line but for the payload bytes: what goes before and after them, and their form.
struct LineParts {
    enum class As { json, text, base64 } as = As::text;
    std::string head, tail;
};

LineParts line_parts(const Message& m) {
    LineParts p;
    p.head = "{\"ts\":\"" + iso8601_utc(m.ts_ns, 6) + "\",\"topic\":";
    append_json_string(p.head, m.topic);
    fmt::format_to(std::back_inserter(p.head), ",\"qos\":{},\"retain\":{},\"payload\":", m.qos,
                   m.retain ? "true" : "false");
    std::string limit;
    if (!is_valid_utf8(m.payload))
        p.as = LineParts::As::base64;
    else if (is_json_payload(m.payload, &limit) && embeddable(m.payload))
        p.as = LineParts::As::json;
    if (p.as != LineParts::As::json) p.head += '"';
    if (p.as != LineParts::As::json) p.tail += '"';
    if (p.as == LineParts::As::base64) p.tail += ",\"payload_encoding\":\"base64\"";
    if (!limit.empty()) {
        p.tail += ",\"payload_note\":";
        append_json_string(p.tail, "not decoded as JSON: " + limit);
    }
    if (!m.user_properties.empty()) {
        p.tail += ",\"user_properties\":[";
        for (size_t i = 0; i < m.user_properties.size(); ++i) {
            p.tail += i ? ",[" : "[";
            append_json_string(p.tail, m.user_properties[i].first);
            p.tail += ',';
            append_json_string(p.tail, m.user_properties[i].second);
            p.tail += ']';
        }
        p.tail += ']';
    }
    if (!m.content_type.empty()) {
        p.tail += ",\"content_type\":";
        append_json_string(p.tail, m.content_type);
    }
    if (!m.response_topic.empty()) {
        p.tail += ",\"response_topic\":";
        append_json_string(p.tail, m.response_topic);
    }
    p.tail += '}';
    return p;
}

// Appends payload bytes (all, or a slice starting at a multiple of 3) in the line's form: as
// they are, escaped, or base64.
void append_payload(const LineParts& p, std::string_view payload, std::string& out) {
    if (p.as == LineParts::As::json)
        out += payload;
    else if (p.as == LineParts::As::base64)
        append_base64(out, payload);
    else
        append_json_escaped(out, payload);
}

}  // namespace

void append_message_json(const Message& m, std::string& out) {
    LineParts p = line_parts(m);
    // One allocation for the whole line (and the caller's newline), also for a huge payload.
    size_t payload_size = p.as == LineParts::As::json     ? m.payload.size()
                          : p.as == LineParts::As::base64 ? (m.payload.size() + 2) / 3 * 4
                                                          : json_string_size(m.payload) - 2;
    out.reserve(out.size() + p.head.size() + payload_size + p.tail.size() + 1);
    out += p.head;
    append_payload(p, m.payload, out);
    out += p.tail;
}

void write_message_json(const Message& m, const std::function<void(std::string_view)>& emit) {
    LineParts p = line_parts(m);
    emit(p.head);
    constexpr size_t k_slice = 3 << 16;  // 192 KiB: a multiple of 3 for base64
    std::string piece;
    for (size_t at = 0; at < m.payload.size(); at += k_slice) {
        std::string_view slice = std::string_view(m.payload).substr(at, k_slice);
        if (p.as == LineParts::As::json) {
            emit(slice);
            continue;
        }
        piece.clear();
        append_payload(p, slice, piece);  // escaping per byte: a slice may split a character
        emit(piece);
    }
    emit(p.tail);
}

Result<Message> message_from_json_line(std::string_view line) {
    if (!is_valid_json(line)) {
        auto parsed = parse_json_strict(line);  // for the error message: where and why
        return parsed ? runtime_error("invalid JSON") : parsed.error();
    }
    // The payload is read from the line's text; the rest (small) from a document of the line
    // with the payload left out, so a huge or deep payload is never built into a document (the
    // JSON limits apply where a payload is decoded, as for one received from a broker).
    std::optional<std::string_view> payload = json_member(line, "payload");
    std::string envelope;
    if (payload) {
        size_t at = static_cast<size_t>(payload->data() - line.data());
        envelope.reserve(line.size() - payload->size() + 4);
        envelope.append(line.substr(0, at))
            .append("null")
            .append(line.substr(at + payload->size()));
    }
    auto object = parse_json_strict(payload ? std::string_view(envelope) : line);
    if (!object) return object.error();
    auto m = message_from_json(*object);
    if (!m || !payload) return m;
    if (payload->front() != '"') {
        m->payload.assign(*payload);
        return m;
    }
    std::string text = json_string_value(*payload);
    auto enc = object->find("payload_encoding");
    if (enc != object->end() && *enc == "base64") {
        auto decoded = base64_decode(text);
        if (!decoded) return runtime_error("\"payload\" is not valid base64");
        text = std::move(*decoded);
    }
    m->payload = std::move(text);
    return m;
}

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
