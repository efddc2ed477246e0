#include "core/output_format.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "core/payload.h"

namespace iotctl {

namespace {
constexpr std::string_view k_specifiers = "%ACDEFIJPRSUXjlmpqrtx";
// Unix nanoseconds fit in int64_t for these many seconds either side of 1970.
constexpr int64_t k_max_unix_seconds = INT64_MAX / 1000000000 - 1;
// Larger -F widths and precisions are read as this (no int overflow on long digit runs).
constexpr int k_max_field = 1000000;

std::string hex(std::string_view bytes, bool upper) {
    static constexpr char k_lower[] = "0123456789abcdef", k_upper[] = "0123456789ABCDEF";
    const char* digits = upper ? k_upper : k_lower;
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::string local_iso(int64_t ts_ns) {
    time_t secs = ts_ns / 1000000000;
    struct tm tm;
    localtime_r(&secs, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
    return buf;
}

// mosquitto's %j / %J object.
std::string mosquitto_json(const Message& m, bool parse_payload) {
    nlohmann::json j;
    j["tst"] = local_iso(m.ts_ns);
    j["topic"] = m.topic;
    j["qos"] = m.qos;
    j["retain"] = m.retain ? 1 : 0;
    j["payloadlen"] = m.payload.size();
    if (m.mid) j["mid"] = m.mid;
    std::optional<nlohmann::json> parsed;
    if (parse_payload) parsed = parse_json_payload(m.payload);
    if (parsed)
        j["payload"] = *parsed;
    else if (is_valid_utf8(m.payload))
        j["payload"] = m.payload;
    else
        j["payload"] = "";
    return dump_json(j);
}

void pad(std::string& out, const std::string& value, bool left, bool zero, int width) {
    if (width < 0 || static_cast<int>(value.size()) >= width) {
        out += value;
        return;
    }
    size_t fill = width - value.size();
    if (left) {
        out += value;
        out.append(fill, ' ');
    } else {
        out.append(fill, zero ? '0' : ' ');
        out += value;
    }
}
}  // namespace

std::string iso8601_utc(int64_t ts_ns, int fraction_digits) {
    int64_t secs = ts_ns / 1000000000;
    int64_t frac = ts_ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        --secs;
    }
    time_t t = secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[40];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = buf;
    if (fraction_digits > 0) {
        std::string f = fmt::format("{:09d}", frac);
        out += "." + f.substr(0, fraction_digits);
    }
    return out + "Z";
}

Result<int64_t> parse_iso8601(const std::string& text) {
    struct tm tm = {};
    int frac_digits = 0;
    int64_t frac = 0;
    const char* p = text.c_str();
    const char* end = strptime(p, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end) end = strptime(p, "%Y-%m-%d %H:%M:%S", &tm);
    if (!end) {
        end = strptime(p, "%Y-%m-%d", &tm);
        if (!end || *end) return usage_error("invalid time '" + text + "'");
    }
    if (*end == '.') {
        ++end;
        while (*end >= '0' && *end <= '9') {
            if (frac_digits < 9) {
                frac = frac * 10 + (*end - '0');
                ++frac_digits;
            }
            ++end;
        }
        for (int i = frac_digits; i < 9; ++i) frac *= 10;
    }
    int64_t offset_s = 0;
    if (*end == 'Z') {
        ++end;
    } else if (*end == '+' || *end == '-') {
        int sign = *end == '-' ? -1 : 1;
        int hh = 0, mm = 0;
        if (sscanf(end + 1, "%2d:%2d", &hh, &mm) < 1 && sscanf(end + 1, "%2d%2d", &hh, &mm) < 1)
            return usage_error("invalid time zone in '" + text + "'");
        offset_s = sign * (hh * 3600 + mm * 60);
        end += std::string_view(end).size();
    }
    if (*end) return usage_error("invalid time '" + text + "'");
    int64_t secs = timegm(&tm) - offset_s;
    if (secs > k_max_unix_seconds || secs < -k_max_unix_seconds)
        return usage_error("time '" + text + "' is out of range (years 1678 to 2261)");
    return secs * 1000000000 + frac;
}

Result<OutputFormat> OutputFormat::parse(const std::string& spec) {
    OutputFormat f;
    std::string literal;
    auto flush_literal = [&] {
        if (!literal.empty()) f.pieces_.push_back(Piece{0, std::move(literal)});
        literal.clear();
    };
    for (size_t i = 0; i < spec.size(); ++i) {
        char c = spec[i];
        if (c == '\\') {
            if (i + 1 >= spec.size())
                return usage_error("invalid format '" + spec + "': lone '\\' at the end");
            char e = spec[++i];
            switch (e) {
                case '\\':
                    literal += '\\';
                    break;
                case '0':
                    literal += '\0';
                    break;
                case 'a':
                    literal += '\a';
                    break;
                case 'e':
                    literal += '\033';
                    break;
                case 'n':
                    literal += '\n';
                    break;
                case 'r':
                    literal += '\r';
                    break;
                case 't':
                    literal += '\t';
                    break;
                case 'v':
                    literal += '\v';
                    break;
                default:
                    return usage_error(fmt::format(
                        "invalid format '{}': unknown escape '\\{}' at position {}", spec, e, i));
            }
        } else if (c == '@') {
            if (i + 1 >= spec.size())
                return usage_error("invalid format '" + spec + "': lone '@' at the end");
            char e = spec[++i];
            if (e == '@') {
                literal += '@';
                continue;
            }
            flush_literal();
            f.pieces_.push_back(Piece{'@', std::string("%") + e});
        } else if (c == '%') {
            size_t start = i;
            Piece piece;
            ++i;
            while (i < spec.size() && (spec[i] == '-' || spec[i] == '0')) {
                (spec[i] == '-' ? piece.left : piece.zero) = true;
                ++i;
            }
            int width = -1;
            while (i < spec.size() && isdigit(static_cast<unsigned char>(spec[i])))
                width = std::min((width < 0 ? 0 : width * 10) + (spec[i++] - '0'), k_max_field);
            int precision = -1;
            if (i < spec.size() && spec[i] == '.') {
                ++i;
                precision = 0;
                while (i < spec.size() && isdigit(static_cast<unsigned char>(spec[i])))
                    precision = std::min(precision * 10 + (spec[i++] - '0'), k_max_field);
            }
            if (i >= spec.size())
                return usage_error(fmt::format(
                    "invalid format '{}': incomplete specifier at position {}", spec, start));
            char s = spec[i];
            if (k_specifiers.find(s) == std::string_view::npos)
                return usage_error(fmt::format(
                    "invalid format '{}': unknown specifier '%{}' at position {}", spec, s, start));
            if (s == '%') {
                literal += '%';
                continue;
            }
            flush_literal();
            piece.spec = s;
            piece.width = width > 4096 ? 4096 : width;
            piece.precision = precision;
            f.pieces_.push_back(std::move(piece));
        } else {
            literal += c;
        }
    }
    flush_literal();
    return f;
}

OutputFormat OutputFormat::plain(bool verbose) {
    OutputFormat f;
    if (verbose) {
        f.pieces_.push_back(Piece{'t'});
        f.pieces_.push_back(Piece{0, " "});
    }
    f.pieces_.push_back(Piece{'p'});
    return f;
}

OutputFormat OutputFormat::json_lines() {
    OutputFormat f;
    f.json_ = true;
    return f;
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

void OutputFormat::render(const Message& m, std::string& out) const {
    if (json_) {
        out += dump_json(message_to_json(m));
        out += '\n';
        return;
    }
    for (const auto& piece : pieces_) {
        if (piece.spec == 0) {
            out += piece.text;
            continue;
        }
        if (piece.spec == 'p' && piece.width < 0 && piece.precision < 0) {
            out += m.payload;  // the hot path: no copy into a temporary
            continue;
        }
        if (piece.spec == 't' && piece.width < 0) {
            out += m.topic;
            continue;
        }
        std::string v;
        switch (piece.spec) {
            case 't':
                v = m.topic;
                break;
            case 'p':
                v = m.payload;
                break;
            case 'q':
                v = std::to_string(m.qos);
                break;
            case 'r':
                v = m.retain ? "1" : "0";
                break;
            case 'l':
                v = std::to_string(m.payload.size());
                break;
            case 'm':
                v = std::to_string(m.mid);
                break;
            case 'x':
                v = hex(m.payload, false);
                break;
            case 'X':
                v = hex(m.payload, true);
                break;
            case 'I':
                v = local_iso(m.ts_ns);
                break;
            case 'U':
                v = fmt::format("{}.{:09d}", m.ts_ns / 1000000000, m.ts_ns % 1000000000);
                break;
            case 'j':
                v = mosquitto_json(m, false);
                break;
            case 'J':
                v = mosquitto_json(m, true);
                break;
            case 'C':
                v = m.content_type;
                break;
            case 'R':
                v = m.response_topic;
                break;
            case 'P':
                for (const auto& [k, val] : m.user_properties) {
                    if (!v.empty()) v += ' ';
                    v += k + ":" + val;
                }
                break;
            case '@': {
                time_t secs = m.ts_ns / 1000000000;
                struct tm tm;
                localtime_r(&secs, &tm);
                char buf[128];
                size_t n = strftime(buf, sizeof buf, piece.text.c_str(), &tm);
                v.assign(buf, n);
                break;
            }
            default:
                break;  // %A %D %E %F %S: not carried by iotctl; printed empty
        }
        if (piece.precision >= 0 && static_cast<int>(v.size()) > piece.precision &&
            piece.spec != 'q' && piece.spec != 'l' && piece.spec != 'm')
            v.resize(piece.precision);
        pad(out, v, piece.left, piece.zero, piece.width);
    }
    if (add_newline_) out += '\n';
}

}  // namespace iotctl
