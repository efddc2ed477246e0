// The mapping rules behind presets and `--map FILE`: what they say, and reading them from
// JSON/TOML.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_path.h"
#include "core/mapping_values.h"

namespace iotctl {

/// Text with `{N}` (topic level N, counted from 1) and `{topic}` placeholders, compiled once.
class TopicTemplate {
  public:
    /// Compiles the template; an error names a bad placeholder.
    static Result<TopicTemplate> parse(std::string_view text);
    /// A template that is exactly topic level `level` (from 1).
    static TopicTemplate level(int level);
    /// Fills the placeholders from the topic and its levels (a missing level is empty).
    std::string render(std::string_view topic, const std::vector<std::string_view>& levels) const;

  private:
    struct Piece {
        std::string literal;
        int level = -1;  // -1: literal text; 0: the whole topic; N: topic level N
    };
    std::vector<Piece> pieces_;
};

/// Where one tag's value comes from; the first source that gives a non-empty value wins.
struct TagSpec {
    std::string name;
    std::optional<JsonPath> path;        // a payload value (string, number or boolean)
    bool key = false;                    // the member name, in an `each` rule
    std::optional<TopicTemplate> topic;  // `topic_level = N`
    std::optional<TopicTemplate> value;  // constant text, `{N}` placeholders allowed
};

/// One explicitly mapped field: its name, where it is in the payload, its fixed type.
struct FieldSpec {
    std::string name;
    JsonPath path;
    FieldType type = FieldType::float64;
};

/// Where the time of a reading is in the payload and how it is written.
struct TimeSpec {
    JsonPath path;
    TimeFormat format = TimeFormat::automatic;
};

/// One rule: messages on `filter` (and with `when` present) become records as described.
struct MappingRule {
    std::string filter;
    bool skip = false;             // matching messages are skipped, not stored
    bool text_payload = false;     // `payload = "text"`: the raw payload is the string `$`
    std::optional<JsonPath> when;  // the rule applies only if this path is in the payload
    std::optional<TopicTemplate> measurement;
    std::string measurement_text;        // as written, for notes
    std::optional<JsonPath> each;        // one record per member of this object
    std::vector<std::string> each_with;  // only members that are objects holding one of these
    std::vector<TagSpec> tags;
    std::vector<FieldSpec> fields;
    bool auto_fields = false;      // every numeric leaf becomes a float field
    bool auto_tags = false;        // every top-level non-numeric string becomes a tag
    std::string count_field;       // added as 1.0 when a record would have no fields
    std::optional<TimeSpec> time;  // else the receive time
};

/// Reads the rules from a mapping document in its JSON form; errors read `<key>: <what>`.
Result<std::vector<MappingRule>> rules_from_json(const nlohmann::json& document);

/// Parses TOML text into the same JSON form; errors read `line L, column C: <what>` or `<key>:
/// ...`.
Result<nlohmann::json> toml_to_json(std::string_view text);

}  // namespace iotctl
