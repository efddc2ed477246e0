// The mapping rules behind presets and `--map FILE`: what they say, and reading them from
// JSON/TOML.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/json_path.h"
#include "core/mapping/name_template.h"
#include "core/mapping/values.h"

namespace iotctl::mapping {

/// Where one tag's value comes from; the first source that gives a non-empty value wins.
struct TagSpec {
    std::string name;
    std::optional<base::JsonPath> path;  // a payload value (string, number or boolean)
    bool key = false;                    // the member name, in an `each` rule
    std::optional<TopicTemplate> topic;  // `topic_level = N`
    std::optional<TopicTemplate> value;  // constant text, `{N}` placeholders allowed
};

/// One explicitly mapped field: its name, where it is in the payload, its fixed type.
struct FieldSpec {
    std::string name;
    base::JsonPath path;
    FieldType type = FieldType::float64;
};

/// Where the time of a reading is in the payload and how it is written.
struct TimeSpec {
    base::JsonPath path;
    TimestampFormat format = TimestampFormat::automatic;
};

/// One rule: messages on `filter` (and with `when` present) become records as described.
struct MappingRule {
    std::string filter;
    bool skip = false;                   // matching messages are skipped, not stored
    bool text_payload = false;           // `payload = "text"`: the raw payload is the string `$`
    std::optional<base::JsonPath> when;  // the rule applies only if this path is in the payload
    std::optional<TopicTemplate> measurement;
    std::string measurement_text;        // as written, for notes
    std::optional<base::JsonPath> each;  // one record per member of this object
    std::vector<std::string> each_with;  // only members that are objects holding one of these
    std::vector<TagSpec> tags;
    std::vector<FieldSpec> fields;
    bool auto_fields = false;                // every numeric leaf becomes a float field
    bool auto_tags = false;                  // every top-level non-numeric string becomes a tag
    std::string count_field;                 // added as 1.0 when a record would have no fields
    std::optional<TimeSpec> time;            // else the receive time
    std::optional<base::TimeZone> timezone;  // of zone-less payload times; else --payload-timezone
};

/// Reads the rules from a mapping document in its JSON form; errors read `<key>: <what>`.
base::Result<std::vector<MappingRule>> rules_from_json(const nlohmann::json& document);

}  // namespace iotctl::mapping
