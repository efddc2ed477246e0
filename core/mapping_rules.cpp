#include "core/mapping_rules.h"

#include <charconv>
#include <initializer_list>

#include <toml++/toml.h>

#include "core/topic.h"

namespace iotctl {
namespace {

using Json = nlohmann::json;

Error at(const std::string& key, const std::string& what) {
    return usage_error(key + ": " + what);
}

// Rejects members of `object` not in `allowed`, naming the first unknown one.
Status check_keys(const Json& object, const std::string& key,
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

Result<std::string> get_string(const Json& node, const std::string& key) {
    if (!node.is_string()) return at(key, "expected a string, found " + json_type_words(node));
    return node.get<std::string>();
}

Result<bool> get_bool(const Json& node, const std::string& key) {
    if (!node.is_boolean())
        return at(key, "expected true or false, found " + json_type_words(node));
    return node.get<bool>();
}

Result<JsonPath> get_path(const Json& node, const std::string& key) {
    auto text = get_string(node, key);
    if (!text) return text.error();
    auto path = JsonPath::parse(*text);
    if (!path) return at(key, path.error().message);
    return path;
}

Result<TopicTemplate> get_template(const Json& node, const std::string& key) {
    auto text = get_string(node, key);
    if (!text) return text.error();
    auto t = TopicTemplate::parse(*text);
    if (!t) return at(key, t.error().message);
    return t;
}

Status check_name(const std::string& name, const std::string& key) {
    if (is_identifier(name)) return {};
    return at(key,
              "not a valid name (letters, digits and _; not starting with a digit or _; "
              "not \"time\"; at most 64 bytes)");
}

Result<TagSpec> read_tag(const std::string& name, const Json& node, const std::string& key) {
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
        return at(key, "expected a string or a table, found " + json_type_words(node));
    if (auto s = check_keys(node, key, {"path", "key", "topic_level", "value"}); !s)
        return s.error();
    if (node.contains("path")) {
        auto p = get_path(node["path"], key + ".path");
        if (!p) return p.error();
        tag.path = std::move(*p);
    }
    if (node.contains("key")) {
        auto b = get_bool(node["key"], key + ".key");
        if (!b) return b.error();
        tag.key = *b;
    }
    if (node.contains("topic_level")) {
        const Json& level = node["topic_level"];
        if (!level.is_number_integer() || level.get<int64_t>() < 1 || level.get<int64_t>() > 1000)
            return at(key + ".topic_level", "expected a level number from 1");
        tag.topic = TopicTemplate::level(static_cast<int>(level.get<int64_t>()));
    }
    if (node.contains("value")) {
        auto t = get_template(node["value"], key + ".value");
        if (!t) return t.error();
        tag.value = std::move(*t);
    }
    if (!tag.path && !tag.key && !tag.topic && !tag.value)
        return at(key, "needs path, key, topic_level or value");
    return tag;
}

Result<FieldSpec> read_field(const std::string& name, const Json& node, const std::string& key) {
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
        if (node.contains("path")) {
            auto p = get_string(node["path"], key + ".path");
            if (!p) return p.error();
            path_text = *p;
        }
    } else {
        return at(key, "expected a type name or a table, found " + json_type_words(node));
    }
    auto type = parse_field_type(type_name);
    if (!type)
        return at(type_key,
                  "unknown type \"" + type_name + "\" (expected float, int, bool or string)");
    auto path = JsonPath::parse(path_text);
    if (!path) return at(key, path.error().message);
    return FieldSpec{name, std::move(*path), *type};
}

Result<TimeSpec> read_time(const Json& node, const std::string& key) {
    TimeSpec spec{JsonPath(), TimeFormat::automatic};
    const Json* path_node = &node;
    if (node.is_object()) {
        if (auto s = check_keys(node, key, {"path", "format"}); !s) return s.error();
        if (!node.contains("path")) return at(key, "needs a path");
        path_node = &node["path"];
        if (node.contains("format")) {
            auto f = get_string(node["format"], key + ".format");
            if (!f) return f.error();
            auto format = parse_time_format(*f);
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
Status read_body(const Json& r, const std::string& key, MappingRule& rule);

Result<MappingRule> read_rule(const Json& r, const std::string& key) {
    if (!r.is_object()) return at(key, "expected a table, found " + json_type_words(r));
    if (auto s =
            check_keys(r, key,
                       {"filter", "skip", "when", "payload", "measurement", "each", "each_with",
                        "tags", "fields", "auto_fields", "auto_tags", "count_field", "time"});
        !s)
        return s.error();
    MappingRule rule;
    if (!r.contains("filter")) return at(key, "needs a filter");
    auto filter = get_string(r["filter"], key + ".filter");
    if (!filter) return filter.error();
    if (auto s = validate_topic_filter(*filter); !s) return at(key + ".filter", s.error().message);
    rule.filter = *filter;
    if (r.contains("when")) {
        auto p = get_path(r["when"], key + ".when");
        if (!p) return p.error();
        rule.when = std::move(*p);
    }
    if (r.contains("skip")) {
        auto b = get_bool(r["skip"], key + ".skip");
        if (!b) return b.error();
        rule.skip = *b;
    }
    if (rule.skip) {
        if (auto s = check_keys(r, key, {"filter", "skip", "when"}); !s) return s.error();
        return rule;
    }
    if (auto s = read_body(r, key, rule); !s) return s.error();
    return rule;
}

Status read_body(const Json& r, const std::string& key, MappingRule& rule) {
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
    if (r.contains("each")) {
        auto p = get_path(r["each"], key + ".each");
        if (!p) return p.error();
        rule.each = std::move(*p);
    }
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
    for (auto [name, flag] :
         {std::pair{"auto_fields", &rule.auto_fields}, std::pair{"auto_tags", &rule.auto_tags}}) {
        if (!r.contains(name)) continue;
        auto b = get_bool(r[name], key + "." + name);
        if (!b) return b.error();
        *flag = *b;
    }
    if (r.contains("count_field")) {
        auto c = get_string(r["count_field"], key + ".count_field");
        if (!c) return c.error();
        if (auto s = check_name(*c, key + ".count_field"); !s) return s;
        rule.count_field = *c;
    }
    if (r.contains("time")) {
        auto t = read_time(r["time"], key + ".time");
        if (!t) return t.error();
        rule.time = std::move(*t);
    }
    for (const auto& field : rule.fields)
        for (const auto& tag : rule.tags)
            if (same_identifier(field.name, tag.name))
                return at(key + ".fields." + field.name, "name already used by a tag");
    if (rule.fields.empty() && !rule.auto_fields && rule.count_field.empty())
        return at(key, "maps no fields (give fields, auto_fields or count_field)");
    return {};
}

Result<Json> toml_node_to_json(const toml::node& node, const std::string& key) {
    if (auto t = node.as_table()) {
        Json out = Json::object();
        for (const auto& [name, child] : *t) {
            std::string child_key =
                key.empty() ? std::string(name.str()) : key + "." + std::string(name.str());
            auto j = toml_node_to_json(child, child_key);
            if (!j) return j.error();
            out[std::string(name.str())] = std::move(*j);
        }
        return out;
    }
    if (auto a = node.as_array()) {
        Json out = Json::array();
        for (size_t i = 0; i < a->size(); ++i) {
            auto j = toml_node_to_json(*a->get(i), key + "[" + std::to_string(i) + "]");
            if (!j) return j.error();
            out.push_back(std::move(*j));
        }
        return out;
    }
    if (auto s = node.as_string()) return Json(s->get());
    if (auto i = node.as_integer()) return Json(i->get());
    if (auto f = node.as_floating_point()) return Json(f->get());
    if (auto b = node.as_boolean()) return Json(b->get());
    return at(key, "dates and times are not supported here");
}

}  // namespace

Result<TopicTemplate> TopicTemplate::parse(std::string_view text) {
    TopicTemplate t;
    std::string literal;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '{') {
            if (text[i] == '}')
                return usage_error("unmatched '}' in \"" + std::string(text) + "\"");
            literal += text[i];
            continue;
        }
        size_t close = text.find('}', i);
        if (close == std::string_view::npos)
            return usage_error("unmatched '{' in \"" + std::string(text) + "\"");
        std::string_view inside = text.substr(i + 1, close - i - 1);
        int level = 0;
        if (inside != "topic") {
            auto [end, ec] = std::from_chars(inside.data(), inside.data() + inside.size(), level);
            if (ec != std::errc() || end != inside.data() + inside.size() || level < 1)
                return usage_error("unknown placeholder {" + std::string(inside) +
                                   "} (expected {topic} or a topic level {1}, {2}, ...)");
        }
        if (!literal.empty()) t.pieces_.push_back(Piece{std::move(literal), -1});
        literal.clear();
        t.pieces_.push_back(Piece{{}, level});
        i = close;
    }
    if (!literal.empty()) t.pieces_.push_back(Piece{std::move(literal), -1});
    return t;
}

TopicTemplate TopicTemplate::level(int level) {
    TopicTemplate t;
    t.pieces_.push_back(Piece{{}, level});
    return t;
}

std::string TopicTemplate::render(std::string_view topic,
                                  const std::vector<std::string_view>& levels) const {
    if (pieces_.size() == 1 && pieces_[0].level == -1) return pieces_[0].literal;
    std::string out;
    for (const auto& piece : pieces_) {
        if (piece.level < 0)
            out += piece.literal;
        else if (piece.level == 0)
            out += topic;
        else if (size_t(piece.level) <= levels.size())
            out += levels[piece.level - 1];
    }
    return out;
}

Result<std::vector<MappingRule>> rules_from_json(const Json& document) {
    if (!document.is_object())
        return usage_error("expected a table with a rule list, found " + json_type_words(document));
    if (auto s = check_keys(document, "", {"rule"}); !s)
        return usage_error(s.error().message.substr(1));  // drop the leading '.'
    if (!document.contains("rule")) return usage_error("rule: missing (no rules given)");
    const Json& list = document["rule"];
    if (!list.is_array() || list.empty())
        return usage_error("rule: expected a non-empty list of rules");
    std::vector<MappingRule> rules;
    for (size_t i = 0; i < list.size(); ++i) {
        auto rule = read_rule(list[i], "rule[" + std::to_string(i) + "]");
        if (!rule) return rule.error();
        rules.push_back(std::move(*rule));
    }
    bool stores = false;
    for (const auto& rule : rules) stores = stores || !rule.skip;
    if (!stores) return usage_error("rule: every rule skips; nothing would be stored");
    return rules;
}

Result<Json> toml_to_json(std::string_view text) {
    toml::table table;
    try {
        table = toml::parse(text);
    } catch (const toml::parse_error& e) {
        return usage_error("line " + std::to_string(e.source().begin.line) + ", column " +
                           std::to_string(e.source().begin.column) + ": " +
                           std::string(e.description()));
    }
    return toml_node_to_json(table, "");
}

}  // namespace iotctl
