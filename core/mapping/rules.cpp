#include "core/mapping/rules.h"

#include <charconv>
#include <initializer_list>

#include "core/base/topic.h"

namespace iotctl::mapping {
namespace {

using Json = nlohmann::json;

base::Error at(const std::string& key, const std::string& what) {
    return base::usage_error(key + ": " + what);
}

// Rejects members of `object` not in `allowed`, naming the first unknown one.
base::Status check_keys(const Json& object, const std::string& key,
                        std::initializer_list<std::string_view> allowed) {
    for (const auto& [name, value] : object.items()) {
        bool known = false;
        for (auto a : allowed) known = known || a == name;
        if (known) continue;
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return at(key + "." + name, "unknown key (expected one of: " + list + ")");
    }
    return {};
}

base::Result<std::string> get_string(const Json& node, const std::string& key) {
    if (!node.is_string())
        return at(key, "expected a string, found " + base::json_type_words(node));
    return node.get<std::string>();
}

base::Result<bool> get_bool(const Json& node, const std::string& key) {
    if (!node.is_boolean())
        return at(key, "expected true or false, found " + base::json_type_words(node));
    return node.get<bool>();
}

// A string compiled by T::parse (JsonPath, TopicTemplate); an error names the key.
template <typename T>
base::Result<T> get_parsed(const Json& node, const std::string& key) {
    auto text = get_string(node, key);
    if (!text) return text.error();
    auto parsed = T::parse(*text);
    if (!parsed) return at(key, parsed.error().message);
    return parsed;
}

const auto get_path = get_parsed<base::JsonPath>;
const auto get_template = get_parsed<TopicTemplate>;

// Reads member `name` of `object` with `get` into `out` when it is there; else leaves `out`.
template <typename T, typename Get>
base::Status read_member(const Json& object, const char* name, const std::string& key, Get get,
                         T& out) {
    auto it = object.find(name);
    if (it == object.end()) return {};
    auto value = get(*it, key + "." + name);
    if (!value) return value.error();
    out = std::move(*value);
    return {};
}

base::Status check_name(const std::string& name, const std::string& key) {
    if (is_identifier(name)) return {};
    return at(key,
              "not a valid name (letters, digits and _; not starting with a digit or _; "
              "not \"time\"; at most 64 bytes)");
}

base::Result<TagSpec> read_tag(const std::string& name, const Json& node, const std::string& key) {
    TagSpec tag;
    tag.name = name;
    if (auto s = check_name(name, key); !s) return s.error();
    if (node.is_string()) {
        auto t = get_template(node, key);
        if (!t) return t.error();
        tag.value = std::move(*t);
        return tag;
    }
    if (!node.is_object())
        return at(key, "expected a string or a table, found " + base::json_type_words(node));
    if (auto s = check_keys(node, key, {"path", "key", "topic_level", "value"}); !s)
        return s.error();
    if (auto s = read_member(node, "path", key, get_path, tag.path); !s) return s.error();
    if (auto s = read_member(node, "key", key, get_bool, tag.key); !s) return s.error();
    if (node.contains("topic_level")) {
        const Json& level = node["topic_level"];
        if (!level.is_number_integer() || level.get<int64_t>() < 1 || level.get<int64_t>() > 1000)
            return at(key + ".topic_level", "expected a level number from 1");
        tag.topic = TopicTemplate::level(static_cast<int>(level.get<int64_t>()));
    }
    if (auto s = read_member(node, "value", key, get_template, tag.value); !s) return s.error();
    if (!tag.path && !tag.key && !tag.topic && !tag.value)
        return at(key, "needs path, key, topic_level or value");
    return tag;
}

base::Result<FieldSpec> read_field(const std::string& name, const Json& node,
                                   const std::string& key) {
    if (auto s = check_name(name, key); !s) return s.error();
    std::string type_key = key, type_name, path_text = name;
    if (node.is_string()) {
        type_name = node.get<std::string>();
    } else if (node.is_object()) {
        if (auto s = check_keys(node, key, {"path", "type"}); !s) return s.error();
        if (!node.contains("type")) return at(key, "needs a type (float, int, bool or string)");
        auto t = get_string(node["type"], key + ".type");
        if (!t) return t.error();
        type_name = *t;
        type_key = key + ".type";
        if (auto s = read_member(node, "path", key, get_string, path_text); !s) return s.error();
    } else {
        return at(key, "expected a type name or a table, found " + base::json_type_words(node));
    }
    auto type = parse_field_type(type_name);
    if (!type)
        return at(type_key,
                  "unknown type \"" + type_name + "\" (expected float, int, bool or string)");
    auto path = base::JsonPath::parse(path_text);
    if (!path) return at(key, path.error().message);
    return FieldSpec{name, std::move(*path), *type};
}

base::Result<TimeSpec> read_time(const Json& node, const std::string& key) {
    TimeSpec spec{base::JsonPath(), TimestampFormat::automatic};
    const Json* path_node = &node;
    if (node.is_object()) {
        if (auto s = check_keys(node, key, {"path", "format"}); !s) return s.error();
        if (!node.contains("path")) return at(key, "needs a path");
        path_node = &node["path"];
        if (node.contains("format")) {
            auto f = get_string(node["format"], key + ".format");
            if (!f) return f.error();
            auto format = parse_timestamp_format(*f);
            if (!format)
                return at(key + ".format", "unknown format \"" + *f +
                                               "\" (expected auto, s, ms, us, ns or iso8601)");
            spec.format = *format;
        }
    }
    auto path = get_path(*path_node, node.is_object() ? key + ".path" : key);
    if (!path) return path.error();
    spec.path = std::move(*path);
    return spec;
}

// Reads the keys every rule may have after `filter`, `skip` and `when`.
base::Status read_body(const Json& r, const std::string& key, MappingRule& rule);

base::Result<MappingRule> read_rule(const Json& r, const std::string& key) {
    if (!r.is_object()) return at(key, "expected a table, found " + base::json_type_words(r));
    if (auto s = check_keys(
            r, key,
            {"filter", "skip", "when", "payload", "measurement", "each", "each_with", "tags",
             "fields", "auto_fields", "auto_tags", "count_field", "time", "timezone"});
        !s)
        return s.error();
    MappingRule rule;
    if (!r.contains("filter")) return at(key, "needs a filter");
    auto filter = get_string(r["filter"], key + ".filter");
    if (!filter) return filter.error();
    if (auto s = base::validate_topic_filter(*filter); !s)
        return at(key + ".filter", s.error().message);
    rule.filter = *filter;
    if (auto s = read_member(r, "when", key, get_path, rule.when); !s) return s.error();
    if (auto s = read_member(r, "skip", key, get_bool, rule.skip); !s) return s.error();
    if (rule.skip) {
        if (auto s = check_keys(r, key, {"filter", "skip", "when"}); !s) return s.error();
        return rule;
    }
    if (auto s = read_body(r, key, rule); !s) return s.error();
    return rule;
}

base::Status read_body(const Json& r, const std::string& key, MappingRule& rule) {
    if (r.contains("payload")) {
        auto p = get_string(r["payload"], key + ".payload");
        if (!p) return p.error();
        if (*p != "json" && *p != "text")
            return at(key + ".payload", "expected \"json\" or \"text\", found \"" + *p + "\"");
        rule.text_payload = *p == "text";
    }
    if (!r.contains("measurement")) return at(key, "needs a measurement (or skip = true)");
    auto m = get_template(r["measurement"], key + ".measurement");
    if (!m) return m.error();
    rule.measurement = std::move(*m);
    rule.measurement_text = r["measurement"].get<std::string>();
    if (auto s = read_member(r, "each", key, get_path, rule.each); !s) return s;
    if (r.contains("each_with")) {
        const Json& list = r["each_with"];
        if (!rule.each) return at(key + ".each_with", "only allowed with each");
        if (!list.is_array() || list.empty())
            return at(key + ".each_with", "expected a non-empty list of member names");
        for (size_t i = 0; i < list.size(); ++i) {
            auto s = get_string(list[i], key + ".each_with[" + std::to_string(i) + "]");
            if (!s) return s.error();
            rule.each_with.push_back(*s);
        }
    }
    if (r.contains("tags")) {
        const Json& tags = r["tags"];
        if (!tags.is_object()) return at(key + ".tags", "expected a table");
        for (const auto& [name, node] : tags.items()) {
            auto tag = read_tag(name, node, key + ".tags." + name);
            if (!tag) return tag.error();
            if (tag->key && !rule.each)
                return at(key + ".tags." + name + ".key", "only allowed with each");
            rule.tags.push_back(std::move(*tag));
        }
    }
    if (r.contains("fields")) {
        const Json& fields = r["fields"];
        if (!fields.is_object()) return at(key + ".fields", "expected a table");
        for (const auto& [name, node] : fields.items()) {
            auto field = read_field(name, node, key + ".fields." + name);
            if (!field) return field.error();
            rule.fields.push_back(std::move(*field));
        }
    }
    if (auto s = read_member(r, "auto_fields", key, get_bool, rule.auto_fields); !s) return s;
    if (auto s = read_member(r, "auto_tags", key, get_bool, rule.auto_tags); !s) return s;
    if (auto s = read_member(r, "count_field", key, get_string, rule.count_field); !s) return s;
    if (!rule.count_field.empty())
        if (auto s = check_name(rule.count_field, key + ".count_field"); !s) return s;
    if (auto s = read_member(r, "time", key, read_time, rule.time); !s) return s;
    if (r.contains("timezone")) {
        auto name = get_string(r["timezone"], key + ".timezone");
        if (!name) return name.error();
        auto zone = base::TimeZone::locate(*name);
        if (!zone) return at(key + ".timezone", zone.error().message);
        rule.timezone = *zone;
    }
    for (const auto& field : rule.fields)
        for (const auto& tag : rule.tags)
            if (same_identifier(field.name, tag.name))
                return at(key + ".fields." + field.name, "name already used by a tag");
    if (rule.fields.empty() && !rule.auto_fields && rule.count_field.empty())
        return at(key, "maps no fields (give fields, auto_fields or count_field)");
    return {};
}

}  // namespace

base::Result<std::vector<MappingRule>> rules_from_json(const Json& document) {
    if (!document.is_object())
        return base::usage_error("expected a table with a rule list, found " +
                                 base::json_type_words(document));
    if (auto s = check_keys(document, "", {"rule"}); !s)
        return base::usage_error(s.error().message.substr(1));  // drop the leading '.'
    if (!document.contains("rule")) return base::usage_error("rule: missing (no rules given)");
    const Json& list = document["rule"];
    if (!list.is_array() || list.empty())
        return base::usage_error("rule: expected a non-empty list of rules");
    std::vector<MappingRule> rules;
    for (size_t i = 0; i < list.size(); ++i) {
        auto rule = read_rule(list[i], "rule[" + std::to_string(i) + "]");
        if (!rule) return rule.error();
        rules.push_back(std::move(*rule));
    }
    bool stores = false;
    for (const auto& rule : rules) stores = stores || !rule.skip;
    if (!stores) return base::usage_error("rule: every rule skips; nothing would be stored");
    return rules;
}

}  // namespace iotctl::mapping
