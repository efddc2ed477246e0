// Rendering a message with a parsed OutputFormat: -F specifiers, -v, --json lines, --pretty.
#include "core/capture/output_format.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "core/base/message_json.h"
#include "core/base/payload.h"
#include "core/base/timestamps.h"

namespace iotctl::capture {

namespace {
// `text` (one JSON value) indented one tab per level, as --pretty asks.
std::string indent_json(const std::string& text) {
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    return parsed.is_discarded() ? text : parsed.dump(1, '\t', false);
}

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
std::string mosquitto_json(const base::Message& m, bool parse_payload) {
    nlohmann::json j;
    j["tst"] = local_iso(m.ts_ns);
    j["topic"] = m.topic;
    j["qos"] = m.qos;
    j["retain"] = m.retain ? 1 : 0;
    j["payloadlen"] = m.payload.size();
    if (m.mid) j["mid"] = m.mid;
    std::optional<nlohmann::json> parsed;
    if (parse_payload) parsed = base::parse_json_payload(m.payload);
    if (parsed)
        j["payload"] = *parsed;
    else if (base::is_valid_utf8(m.payload))
        j["payload"] = m.payload;
    else
        j["payload"] = "";
    return base::dump_json(j);
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

void OutputFormat::render(const base::Message& m, std::string& out) const {
    if (json_) {
        if (pretty_ || json_extra_) {
            std::string line;
            base::append_message_json(m, line);
            if (json_extra_) json_extra_(m, line);
            out += pretty_ ? indent_json(line) : line;
        } else {
            base::append_message_json(m, out);
        }
        out += '\n';
        return;
    }
    for (const auto& piece : pieces_) append_piece(piece, m, out);
    if (add_newline_) out += '\n';
}

void OutputFormat::render_pieces(const base::Message& m,
                                 const std::function<void(std::string_view)>& emit) const {
    if (pretty_ || (json_ && json_extra_)) {  // an indented (or extended) line is built whole
        std::string whole;
        render(m, whole);
        emit(whole);
        return;
    }
    if (json_) {
        base::write_message_json(m, emit);
        emit("\n");
        return;
    }
    constexpr size_t k_slice = 256 << 10;
    std::string buffered;
    for (const auto& piece : pieces_) {
        if (piece.spec == 'p' && piece.width < 0 && piece.precision < 0) {
            if (!buffered.empty()) emit(buffered);
            buffered.clear();
            for (size_t at = 0; at < m.payload.size(); at += k_slice)
                emit(std::string_view(m.payload).substr(at, k_slice));
            continue;
        }
        append_piece(piece, m, buffered);
    }
    if (add_newline_) buffered += '\n';
    if (!buffered.empty()) emit(buffered);
}

void OutputFormat::append_piece(const Piece& piece, const base::Message& m,
                                std::string& out) const {
    if (piece.spec == 0) {
        out += piece.text;
        return;
    }
    if (piece.spec == 'p' && piece.width < 0 && piece.precision < 0) {
        out += m.payload;  // the hot path: no copy into a temporary
        return;
    }
    if (piece.spec == 't' && piece.width < 0 && piece.precision < 0) {
        out += m.topic;
        return;
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
            if (pretty_) v = indent_json(v);
            break;
        case 'J':
            v = mosquitto_json(m, true);
            if (pretty_) v = indent_json(v);
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
        case 'A':
            v = m.topic_alias;
            break;
        case 'D':
            v = m.correlation_data;
            break;
        case 'E':
            v = m.message_expiry;
            break;
        case 'F':
            v = m.payload_format;
            break;
        case 'S':
            v = m.subscription_id;
            break;
        case '@': {
            if (piece.text == "%N") {  // mosquitto's extension: nanoseconds in the second
                v = fmt::format("{:09d}", m.ts_ns % 1000000000);
                break;
            }
            time_t secs = m.ts_ns / 1000000000;
            struct tm tm;
            localtime_r(&secs, &tm);
            char buf[128];
            size_t n = strftime(buf, sizeof buf, piece.text.c_str(), &tm);
            v.assign(buf, n);
            break;
        }
        default:
            break;
    }
    if (piece.precision >= 0 && static_cast<int>(v.size()) > piece.precision && piece.spec != 'q' &&
        piece.spec != 'l' && piece.spec != 'm')
        v.resize(piece.precision);
    pad(out, v, piece.left, piece.zero, piece.width);
}

}  // namespace iotctl::capture
