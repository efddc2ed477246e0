#include "core/mapping/values.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "core/base/number_text.h"
#include "core/base/payload.h"
#include "core/base/timestamps.h"

namespace iotctl::mapping {
namespace {

constexpr size_t k_max_identifier = 64;
constexpr size_t k_max_quoted = 40;

// A string value quoted for a message, shortened so a huge payload cannot flood the log.
std::string quoted(const nlohmann::json& value) {
    std::string text =
        value.is_string() ? value.get_ref<const std::string&>() : base::dump_json(value);
    if (text.size() > k_max_quoted) text = text.substr(0, k_max_quoted) + "...";
    return value.is_string() ? base::dump_json(nlohmann::json(text)) : text;
}

bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    return true;
}

std::optional<bool> parse_bool_text(std::string_view text) {
    for (auto word : {"true", "on", "yes", "1", "online"})
        if (iequals(text, word)) return true;
    for (auto word : {"false", "off", "no", "0", "offline"})
        if (iequals(text, word)) return false;
    return std::nullopt;
}

base::Result<base::FieldValue> to_int(const nlohmann::json& value) {
    if (value.is_number_integer() && !value.is_number_unsigned())
        return base::FieldValue(value.get<int64_t>());
    if (value.is_boolean()) return base::FieldValue(int64_t{value.get<bool>() ? 1 : 0});
    std::optional<double> d = numeric_value(value);
    if (value.is_number_unsigned() && value.get<uint64_t>() <= uint64_t(INT64_MAX))
        return base::FieldValue(static_cast<int64_t>(value.get<uint64_t>()));
    if (!d) return base::runtime_error(quoted(value) + " is not a number");
    if (*d != std::trunc(*d) || std::fabs(*d) >= 9.2e18)
        return base::runtime_error(quoted(value) + " is not a 64-bit integer");
    return base::FieldValue(static_cast<int64_t>(*d));
}

base::Result<base::FieldValue> to_bool(const nlohmann::json& value) {
    if (value.is_boolean()) return base::FieldValue(value.get<bool>());
    if (value.is_number()) {
        double d = value.get<double>();
        if (d == 0 || d == 1) return base::FieldValue(d == 1);
    } else if (value.is_string()) {
        if (auto b = parse_bool_text(value.get_ref<const std::string&>()))
            return base::FieldValue(*b);
    }
    return base::runtime_error(quoted(value) + " is not a boolean");
}

}  // namespace

std::optional<FieldType> parse_field_type(std::string_view name) {
    if (name == "float") return FieldType::float64;
    if (name == "int") return FieldType::int64;
    if (name == "bool") return FieldType::boolean;
    if (name == "string") return FieldType::string;
    return std::nullopt;
}

std::optional<double> parse_number_text(std::string_view text) {
    return base::parse_number_text(text);
}

std::optional<double> numeric_value(const nlohmann::json& value) {
    if (value.is_number()) {
        double d = value.get<double>();
        if (std::isfinite(d)) return d;
        return std::nullopt;
    }
    if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
    if (value.is_string()) return parse_number_text(value.get_ref<const std::string&>());
    return std::nullopt;
}

base::Result<base::FieldValue> convert_field(const nlohmann::json& value, FieldType type) {
    if (value.is_null()) return base::runtime_error("is null");
    switch (type) {
        case FieldType::float64: {
            if (auto d = numeric_value(value)) return base::FieldValue(*d);
            if (value.is_number()) return base::runtime_error("is not a finite number");
            return base::runtime_error(quoted(value) + " is not a number");
        }
        case FieldType::int64:
            return to_int(value);
        case FieldType::boolean:
            return to_bool(value);
        case FieldType::string:
            if (value.is_string()) return base::FieldValue(value.get<std::string>());
            if (value.is_boolean())
                return base::FieldValue(std::string(value.get<bool>() ? "true" : "false"));
            return base::FieldValue(base::dump_json(value));
    }
    return base::runtime_error("unknown field type");
}

std::optional<base::FieldValue> auto_field_value(const nlohmann::json& leaf) {
    if (leaf.is_boolean()) return base::FieldValue(leaf.get<bool>());
    if (leaf.is_string()) {
        const auto& text = leaf.get_ref<const std::string&>();
        if (text.empty()) return std::nullopt;
        if (auto d = parse_number_text(text)) return base::FieldValue(*d);
        return base::FieldValue(text);
    }
    if (auto d = numeric_value(leaf)) return base::FieldValue(*d);
    return std::nullopt;
}

std::optional<std::string> tag_text(const nlohmann::json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
    if (value.is_number()) return base::dump_json(value);
    return std::nullopt;
}

std::string sanitize_identifier(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (char c : name) {
        if (is_ascii_alnum(c)) {
            out += c;
        } else if (!out.empty() && out.back() != '_') {
            out += '_';
        }
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    if (!out.empty() && out[0] >= '0' && out[0] <= '9') out = "n" + out;
    if (out.size() > k_max_identifier) out.resize(k_max_identifier);
    while (!out.empty() && out.back() == '_') out.pop_back();
    if (iequals(out, "time")) out += '_';
    return out;
}

bool same_identifier(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool is_identifier(std::string_view name) {
    return !name.empty() && sanitize_identifier(name) == name;
}

std::optional<TimestampFormat> parse_timestamp_format(std::string_view name) {
    if (name == "auto") return TimestampFormat::automatic;
    if (name == "s") return TimestampFormat::seconds;
    if (name == "ms") return TimestampFormat::millis;
    if (name == "us") return TimestampFormat::micros;
    if (name == "ns") return TimestampFormat::nanos;
    if (name == "iso8601") return TimestampFormat::iso8601;
    return std::nullopt;
}

base::Result<int64_t> convert_time(const nlohmann::json& value, TimestampFormat format,
                                   const base::TimeZone& zone) {
    if (value.is_null()) return base::runtime_error("is null");
    const std::string* text = value.is_string() ? &value.get_ref<const std::string&>() : nullptr;
    std::optional<double> number;
    if (format != TimestampFormat::iso8601 && !value.is_boolean()) number = numeric_value(value);
    if (!number) {
        if (!text || format == TimestampFormat::seconds || format == TimestampFormat::millis ||
            format == TimestampFormat::micros || format == TimestampFormat::nanos)
            return base::runtime_error(quoted(value) + " is not a time");
        bool has_zone = false;
        auto parsed = base::parse_iso8601(*text, &has_zone);
        if (!parsed) return base::runtime_error(quoted(value) + " is not an ISO-8601 time");
        if (!has_zone) parsed = zone.local_to_unix_ns(*parsed);
        if (*parsed < k_min_payload_time_ns)
            return base::runtime_error(quoted(value) + " is before 2000 (clock not set?)");
        return *parsed;
    }
    double v = *number;
    if (format == TimestampFormat::automatic) {
        double mag = std::fabs(v);
        format = mag < 1e11   ? TimestampFormat::seconds
                 : mag < 1e14 ? TimestampFormat::millis
                 : mag < 1e17 ? TimestampFormat::micros
                              : TimestampFormat::nanos;
    }
    double scale = format == TimestampFormat::seconds  ? 1e9
                   : format == TimestampFormat::millis ? 1e6
                   : format == TimestampFormat::micros ? 1e3
                                                       : 1.0;
    if (value.is_number_integer()) {
        // Integers stay exact: no round trip through double for nanosecond values.
        int64_t i = -1;
        if (!value.is_number_unsigned())
            i = value.get<int64_t>();
        else if (value.get<uint64_t>() <= uint64_t(INT64_MAX))
            i = static_cast<int64_t>(value.get<uint64_t>());
        int64_t factor = static_cast<int64_t>(scale);
        if (i >= 0 && i <= INT64_MAX / factor) {
            int64_t ns = i * factor;
            if (ns < k_min_payload_time_ns)
                return base::runtime_error(quoted(value) + " is before 2000 (clock not set?)");
            return ns;
        }
        return base::runtime_error(quoted(value) + " is out of range");
    }
    double ns = v * scale;
    if (!(ns < 9.2e18)) return base::runtime_error(quoted(value) + " is out of range");
    if (ns < double(k_min_payload_time_ns))
        return base::runtime_error(quoted(value) + " is before 2000 (clock not set?)");
    // Whole units and the fraction apart, so 1732500000.25 s is exactly ...250000000 ns.
    double whole = std::floor(v);
    return static_cast<int64_t>(whole) * static_cast<int64_t>(scale) +
           std::llround((v - whole) * scale);
}

}  // namespace iotctl::mapping
