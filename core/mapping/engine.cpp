#include "core/mapping/engine.h"

#include "core/base/payload.h"
#include "core/base/timestamps.h"
#include "core/base/topic.h"

namespace iotctl::mapping {
namespace {

using Json = nlohmann::json;

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : std::string(separator)) + p;
    return out;
}

// The notes as one line for logs and the dead-letter file: control characters shown as `?`,
// at most k_max_reason bytes.
std::string one_line(const std::vector<std::string>& notes) {
    std::string out = join(notes, "; ");
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    if (out.size() > k_max_reason) out = out.substr(0, k_max_reason) + "...";
    return out;
}

// Builds the records of one message for one rule; collects notes on what could not be kept.
class RecordBuilder {
  public:
    RecordBuilder(const MappingRule& rule, const base::Message& message, const Json& root)
        : rule_(rule), message_(message), root_(root), levels_(base::topic_levels(message.topic)) {
        receive_ns_ = message.ts_ns != 0 ? message.ts_ns : base::now_ns();
    }

    // One record from `current` (the payload, or a member of `each` named `key`).
    void build(const Json& current, const std::string* key, std::vector<base::Record>& out) {
        prefix_ = key ? *key + ": " : "";
        base::Record r;
        r.measurement = sanitize_identifier(rule_.measurement->render(message_.topic, levels_));
        if (r.measurement.empty())
            return note("measurement \"" + rule_.measurement_text + "\" gives no usable name");
        consumed_.clear();
        r.ts_ns = time_of(current);
        for (const auto& spec : rule_.tags) {
            std::string value = tag_value(spec, current, key);
            if (!value.empty()) add(r, spec.name, std::move(value));
        }
        if (rule_.auto_tags && current.is_object()) add_auto_tags(r, current);
        for (const auto& spec : rule_.fields) {
            const Json* node = spec.path.find(root_, current);
            if (!node) continue;
            consumed_.push_back(node);
            auto value = convert_field(*node, spec.type);
            if (value) {
                add(r, spec.name, std::move(*value));
            } else {
                note(spec.name + ": " + value.error().message);
                drop(r, spec.name);
            }
        }
        if (rule_.auto_fields) {
            std::string path = current.is_object() ? "" : "value";
            flatten(r, current, path, 0);
        }
        if (r.fields.empty() && !rule_.count_field.empty()) add(r, rule_.count_field, 1.0);
        if (r.fields.empty()) return note(no_field_reason());
        out.push_back(std::move(r));
    }

    const std::vector<std::string>& notes() const { return notes_; }
    /// `measurement.field` of each value left out of a record.
    std::vector<std::string>& dropped() { return dropped_; }
    void add_note(std::string text) { notes_.push_back(std::move(text)); }

  private:
    void note(std::string text) { notes_.push_back(prefix_ + std::move(text)); }
    void drop(const base::Record& r, const std::string& field) {
        dropped_.push_back(r.measurement + "." + field);
    }

    int64_t time_of(const Json& current) {
        if (!rule_.time) return receive_ns_;
        const Json* node = rule_.time->path.find(root_, current);
        if (!node) return receive_ns_;
        consumed_.push_back(node);
        auto t = convert_time(*node, rule_.time->format, rule_.timezone.value_or(base::TimeZone()));
        if (t) return *t;
        note(rule_.time->path.text() + ": " + t.error().message + "; used the receive time");
        return receive_ns_;
    }

    std::string tag_value(const TagSpec& spec, const Json& current, const std::string* key) {
        if (spec.path) {
            if (const Json* node = spec.path->find(root_, current)) {
                consumed_.push_back(node);
                auto text = tag_text(*node);
                if (text && !text->empty()) return std::move(*text);
            }
        }
        if (spec.key && key && !key->empty()) return *key;
        for (const auto* t : {&spec.topic, &spec.value}) {
            if (!*t) continue;
            std::string text = (*t)->render(message_.topic, levels_);
            if (!text.empty()) return text;
        }
        return {};
    }

    void add_auto_tags(base::Record& r, const Json& current) {
        size_t added = 0;
        for (const auto& [name, value] : current.items()) {
            if (!value.is_string() || added >= k_max_auto_tags) continue;
            const auto& text = value.get_ref<const std::string&>();
            if (text.empty() || text.size() > k_max_auto_tag_value) continue;
            if (rule_.auto_fields && parse_number_text(text)) continue;  // becomes a field
            std::string safe = sanitize_identifier(name);
            if (!safe.empty() && add(r, safe, text)) ++added;
            consumed_.push_back(&value);
        }
    }

    void flatten(base::Record& r, const Json& node, std::string& path, int depth) {
        if (node.is_object() || node.is_array()) {
            if (depth >= k_max_flatten_depth) {
                if (!deep_noted_) note(path + ": nested too deep, not stored");
                deep_noted_ = true;
                drop(r, sanitize_identifier(path));
                return;
            }
            size_t len = path.size();
            size_t index = 0;
            for (const auto& [name, child] : node.items()) {
                if (!path.empty()) path += '_';
                path += node.is_array() ? std::to_string(index++) : name;
                flatten(r, child, path, depth + 1);
                path.resize(len);
            }
            return;
        }
        std::optional<base::FieldValue> value = auto_field_value(node);
        if (!value) return;
        for (const Json* used : consumed_)
            if (used == &node) return;  // already a tag, the time or a mapped field
        if (auto_fields_ >= k_max_auto_fields) {
            if (auto_fields_++ == k_max_auto_fields)
                note("more than " + std::to_string(k_max_auto_fields) + " values, rest not stored");
            return;
        }
        std::string safe = sanitize_identifier(path);
        if (!safe.empty() && add(r, safe, std::move(*value))) ++auto_fields_;
    }

    // Adds a tag (string) or field unless the name is taken (SQL column names ignore case).
    template <typename V>
    bool add(base::Record& r, const std::string& name, V&& value) {
        for (const auto& t : r.tags)
            if (same_identifier(t.first, name)) return taken(name);
        for (const auto& f : r.fields)
            if (same_identifier(f.first, name)) return taken(name);
        if constexpr (std::is_same_v<std::decay_t<V>, std::string>)
            r.tags.emplace_back(name, std::forward<V>(value));
        else
            r.fields.emplace_back(name, base::FieldValue(std::forward<V>(value)));
        return true;
    }

    bool taken(const std::string& name) {
        note(name + ": name already used in this record, value not stored");
        return false;
    }

    std::string no_field_reason() const {
        if (rule_.auto_fields) return "no value to store";
        std::vector<std::string> names;
        for (const auto& f : rule_.fields) names.push_back(f.path.text());
        return "no field to store (looked for " + join(names, ", ") + ")";
    }

    const MappingRule& rule_;
    const base::Message& message_;
    const Json& root_;
    std::vector<std::string_view> levels_;
    int64_t receive_ns_ = 0;
    std::string prefix_;
    std::vector<std::string> notes_;
    std::vector<std::string> dropped_;
    std::vector<const Json*> consumed_;  // payload nodes this record already used
    size_t auto_fields_ = 0;
    bool deep_noted_ = false;
};

MapOutcome dead(std::string reason) {
    return MapOutcome{MapOutcome::dead, std::move(reason), {}};
}

bool holds_any(const Json& member, const std::vector<std::string>& names) {
    if (!member.is_object()) return false;
    for (const auto& n : names)
        if (member.contains(n)) return true;
    return false;
}

MapOutcome map_with_rule(const MappingRule& rule, const base::Message& message, const Json& root,
                         std::vector<base::Record>& out) {
    RecordBuilder builder(rule, message, root);
    size_t before = out.size();
    if (!rule.each) {
        builder.build(root, nullptr, out);
    } else {
        const Json* node = rule.each->find(root, root);
        if (!node) return dead(rule.each->text() + " is missing");
        if (!node->is_object())
            return dead(rule.each->text() + " is " + base::json_type_words(*node) +
                        ", expected an object");
        bool any = false;
        for (const auto& [key, member] : node->items()) {
            if (!rule.each_with.empty() && !holds_any(member, rule.each_with)) continue;
            if (!member.is_object()) {
                builder.add_note(key + ": is " + base::json_type_words(member) +
                                 ", expected an object");
                continue;
            }
            any = true;
            builder.build(member, &key, out);
        }
        if (!any && !rule.each_with.empty())
            return dead("no member object holding any of " + join(rule.each_with, ", "));
        if (!any && builder.notes().empty()) return dead(rule.each->text() + " is empty");
    }
    std::string reason = one_line(builder.notes());
    if (out.size() == before) return dead(reason);
    return MapOutcome{MapOutcome::mapped, std::move(reason), std::move(builder.dropped())};
}

}  // namespace

RuleMapper::RuleMapper(std::vector<MappingRule> rules) : rules_(std::move(rules)) {}

std::vector<std::string> RuleMapper::filters() const {
    std::vector<std::string> all;
    for (const auto& rule : rules_)
        if (!rule.skip) all.push_back(rule.filter);
    std::vector<std::string> kept;
    for (size_t i = 0; i < all.size(); ++i) {
        bool redundant = false;
        for (size_t j = 0; j < all.size() && !redundant; ++j) {
            if (i == j || !filter_covers(all[j], all[i])) continue;
            // Of two equal filters keep the first.
            redundant = !filter_covers(all[i], all[j]) || j < i;
        }
        if (!redundant) kept.push_back(all[i]);
    }
    return kept;
}

MapOutcome RuleMapper::map(const base::Message& message, std::vector<base::Record>& out) const {
    try {
        std::optional<Json> parsed;
        std::string limit;  // why the payload was not decoded, when over a JSON limit
        bool tried = false;
        auto json = [&]() -> const Json* {
            if (!tried) parsed = base::parse_json_payload(message.payload, &limit);
            tried = true;
            return parsed ? &*parsed : nullptr;
        };
        const MappingRule* rule = nullptr;
        for (const auto& r : rules_) {
            if (!base::topic_matches(r.filter, message.topic)) continue;
            if (r.when && (!json() || !r.when->find(*json(), *json()))) continue;
            rule = &r;
            break;
        }
        // A rule for the topic may have been passed over only because the payload was not
        // decoded: that is bad input, not a topic nobody maps.
        if (!rule && !limit.empty()) return dead("payload not decoded as JSON: " + limit);
        if (!rule) return MapOutcome{MapOutcome::skipped, "no mapping rule for this topic", {}};
        if (rule->skip)
            return MapOutcome{MapOutcome::skipped, "skipped by rule " + rule->filter, {}};
        if (rule->text_payload) {
            if (!base::is_valid_utf8(message.payload)) return dead("payload is not valid UTF-8");
            return map_with_rule(*rule, message, Json(message.payload), out);
        }
        if (message.payload.empty()) return dead("payload is empty");
        const Json* root = json();
        if (!root && !limit.empty()) return dead("payload not decoded as JSON: " + limit);
        if (!root) return dead("payload is not valid JSON");
        // A bare value is a reading only for rules that map no named field (generic, STATE).
        bool scalar_ok =
            rule->auto_fields && rule->fields.empty() && !rule->each && !root->is_null();
        if (!root->is_object() && !scalar_ok)
            return dead("payload is " + base::json_type_words(*root) + ", expected a JSON object");
        return map_with_rule(*rule, message, *root, out);
    } catch (const std::exception& e) {
        return dead(std::string("mapping failed: ") + e.what());
    }
}

bool filter_covers(std::string_view outer, std::string_view inner) {
    auto o = base::topic_levels(base::strip_share_prefix(outer));
    auto in = base::topic_levels(base::strip_share_prefix(inner));
    for (size_t i = 0; i < o.size(); ++i) {
        if (o[i] == "#") return !(i == 0 && !in[0].empty() && in[0][0] == '$');
        if (i >= in.size() || in[i] == "#") return false;
        if (o[i] == "+") {
            if (in[i] != "+" && i == 0 && !in[0].empty() && in[0][0] == '$') return false;
            continue;
        }
        if (o[i] != in[i]) return false;
    }
    return o.size() == in.size();
}

}  // namespace iotctl::mapping
