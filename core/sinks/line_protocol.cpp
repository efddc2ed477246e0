#include "core/sinks/line_protocol.h"

#include <cmath>

#include <fmt/format.h>

namespace iotctl::sinks {
namespace {

// Escapes `text`, putting a backslash before each character in `specials`. A literal backslash
// is doubled when it would otherwise escape what follows (a special, a backslash, the end of
// the token, or a replaced newline), so that every parser splits the line correctly; anywhere
// else it is written as is, which InfluxDB 1.x and 2.x both read back unchanged.
std::string escape(std::string_view text, std::string_view specials) {
    std::string out;
    out.reserve(text.size() + 8);
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\\') {
            const bool last = i + 1 == text.size();
            const char next = last ? '\0' : text[i + 1];
            const bool ambiguous = last || next == '\\' || next == '\n' || next == '\r' ||
                                   specials.find(next) != std::string_view::npos;
            out += ambiguous ? "\\\\" : "\\";
        } else {
            if (specials.find(c) != std::string_view::npos) out += '\\';
            out += c;
        }
    }
    return out;
}

// Why a key (tag or field) cannot be written, or nullopt when it can.
std::optional<std::string> check_key(std::string_view kind, const std::string& key) {
    if (key.empty()) return fmt::format("empty {} key", kind);
    if (key == "time") return fmt::format("InfluxDB does not accept `time` as a {} key", kind);
    return std::nullopt;
}

}  // namespace

std::string escape_measurement(std::string_view name) {
    return escape(name, ", ");
}

std::string escape_key(std::string_view key) {
    return escape(key, ",= ");
}

std::string escape_string_field(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 8);
    for (const char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::optional<std::string> format_field_value(const base::FieldValue& value) {
    if (const auto* d = std::get_if<double>(&value)) {
        if (!std::isfinite(*d)) return std::nullopt;
        return fmt::format("{}", *d);
    }
    if (const auto* i = std::get_if<int64_t>(&value)) return fmt::format("{}i", *i);
    if (const auto* b = std::get_if<bool>(&value)) return std::string(*b ? "true" : "false");
    return "\"" + escape_string_field(std::get<std::string>(value)) + "\"";
}

std::optional<std::string> append_line(const base::Record& record, std::string& out,
                                       bool string_fields) {
    if (record.measurement.empty()) return std::string("empty measurement name");
    if (record.measurement[0] == '#')
        return std::string("a measurement name starting with `#` reads as a comment");
    std::string line = escape_measurement(record.measurement);
    for (const auto& [key, value] : record.tags) {
        if (value.empty()) continue;  // InfluxDB has no empty tag values: absent is the same
        if (auto why = check_key("tag", key)) return why;
        line += ',';
        line += escape_key(key);
        line += '=';
        line += escape_key(value);
    }
    char separator = ' ';
    bool left_out = false;  // a string field not written (string_fields false)
    for (const auto& [key, value] : record.fields) {
        if (auto why = check_key("field", key)) return why;
        if (!string_fields && std::holds_alternative<std::string>(value)) {
            left_out = true;
            continue;
        }
        auto text = format_field_value(value);
        if (!text) continue;  // NaN and infinities are skipped
        line += separator;
        line += escape_key(key);
        line += '=';
        line += *text;
        separator = ',';
    }
    if (separator == ' ' && left_out) return std::nullopt;  // nothing for this server: no line
    if (separator == ' ') return std::string("no field with a finite value");
    line += fmt::format(" {}\n", record.ts_ns);
    out += line;
    return std::nullopt;
}

}  // namespace iotctl::sinks
