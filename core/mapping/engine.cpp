#include "core/mapping/engine.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/base/payload.h"
#include "core/base/timestamps.h"
#include "core/base/topic.h"
#include "core/mapping/record_builder.h"

namespace iotctl::mapping {
namespace {

using Json = nlohmann::json;

// The notes as one line for logs and the dead-letter file: control characters shown as `?`,
// at most k_max_reason bytes.
std::string one_line(const std::vector<std::string>& notes) {
    std::string out = fmt::format("{}", fmt::join(notes, "; "));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    if (out.size() > k_max_reason) out = out.substr(0, k_max_reason) + "...";
    return out;
}

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
            return dead(
                fmt::format("no member object holding any of {}", fmt::join(rule.each_with, ", ")));
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
