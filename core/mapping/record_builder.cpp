// RecordBuilder: one message's records under one mapping rule.
#include "core/mapping/record_builder.h"

#include <type_traits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/base/timestamps.h"
#include "core/base/topic.h"
#include "core/mapping/engine.h"
#include "core/mapping/values.h"

namespace iotctl::mapping {

RecordBuilder::RecordBuilder(const MappingRule& rule, const base::Message& message,
                             const Json& root)
    : rule_(rule), message_(message), root_(root), levels_(base::topic_levels(message.topic)) {
    receive_ns_ = message.ts_ns != 0 ? message.ts_ns : base::now_ns();
}

template <typename V>
bool RecordBuilder::add(base::Record& r, const std::string& name, V&& value) {
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

bool RecordBuilder::taken(const std::string& name) {
    note(name + ": name already used in this record, value not stored");
    return false;
}

void RecordBuilder::build(const Json& current, const std::string* key,
                          std::vector<base::Record>& out) {
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

int64_t RecordBuilder::time_of(const Json& current) {
    if (!rule_.time) return receive_ns_;
    const Json* node = rule_.time->path.find(root_, current);
    if (!node) return receive_ns_;
    consumed_.push_back(node);
    auto t = convert_time(*node, rule_.time->format, rule_.timezone.value_or(base::TimeZone()));
    if (t) return *t;
    note(rule_.time->path.text() + ": " + t.error().message + "; used the receive time");
    return receive_ns_;
}

std::string RecordBuilder::tag_value(const TagSpec& spec, const Json& current,
                                     const std::string* key) {
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

void RecordBuilder::add_auto_tags(base::Record& r, const Json& current) {
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

void RecordBuilder::flatten(base::Record& r, const Json& node, std::string& path, int depth) {
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

std::string RecordBuilder::no_field_reason() const {
    if (rule_.auto_fields) return "no value to store";
    std::vector<std::string> names;
    for (const auto& f : rule_.fields) names.push_back(f.path.text());
    return fmt::format("no field to store (looked for {})", fmt::join(names, ", "));
}

}  // namespace iotctl::mapping
