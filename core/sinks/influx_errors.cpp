#include "core/sinks/influx_errors.h"

#include <algorithm>
#include <regex>

#include "core/base/payload.h"

namespace iotctl::sinks {
namespace {

// InfluxDB's name for the type of a field value, as used in "is type ..." messages.
const char* influx_type_name(const base::FieldValue& value) {
    switch (value.index()) {
        case 0:
            return "float";
        case 1:
            return "integer";
        case 2:
            return "boolean";
        default:
            return "string";
    }
}

// True when the record has field `field` and, if `type` is set, of that InfluxDB type.
bool has_field(const base::Record& record, const std::string& field, const std::string& type) {
    return std::any_of(record.fields.begin(), record.fields.end(), [&](const auto& f) {
        return f.first == field && (type.empty() || type == influx_type_name(f.second));
    });
}

}  // namespace

std::string influx_error_text(const std::string& body) {
    std::string text = body;
    if (auto json = base::parse_json_payload(body);
        json && json->is_object() && json->contains("error") && (*json)["error"].is_string())
        text = (*json)["error"].get<std::string>();
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

std::vector<size_t> lines_named_in_error(const std::string& error,
                                         const std::vector<base::Record>& records,
                                         const std::vector<std::string>& lines,
                                         const std::vector<size_t>& candidates) {
    // "field type conflict: input field \"v\" on measurement \"m\" is type string, ..." and
    // "invalid field name: input field \"time\" on measurement \"m\" is invalid".
    static const std::regex k_field_error(
        R"re(input field "((?:[^"\\]|\\.)*)" on measurement "((?:[^"\\]|\\.)*)" is (?:type (\w+))?)re");
    std::vector<std::pair<std::string, std::string>> field_errors;  // (measurement, field), type
    std::vector<std::string> types;
    for (auto it = std::sregex_iterator(error.begin(), error.end(), k_field_error);
         it != std::sregex_iterator(); ++it) {
        field_errors.emplace_back((*it)[2].str(), (*it)[1].str());
        types.push_back((*it)[3].str());
    }
    std::vector<size_t> named;
    for (const size_t i : candidates) {
        std::string line = lines[i];
        if (!line.empty() && line.back() == '\n') line.pop_back();
        bool bad = error.find("unable to parse '" + line + "'") != std::string::npos;
        for (size_t k = 0; !bad && k < field_errors.size(); ++k)
            bad = records[i].measurement == field_errors[k].first &&
                  has_field(records[i], field_errors[k].second, types[k]);
        if (bad) named.push_back(i);
    }
    return named;
}

}  // namespace iotctl::sinks
