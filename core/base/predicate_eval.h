// `--where`: parsed expressions evaluated on messages, and the filter every command shares
// (all of its expressions must hold; the payload is decoded once per message).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/json_selection.h"
#include "core/base/message.h"
#include "core/base/predicate_parser.h"

namespace iotctl::base {

/// One message as an expression sees it; `doc` is the decoded payload, or null when the payload
/// is not JSON within the limits (then every path comparison is false).
struct PredicateInput {
    std::string_view topic;
    std::string_view payload;
    const nlohmann::json* doc = nullptr;
};

/// True when the expression holds for the message.
bool evaluate(const PredicateNode& node, const PredicateInput& input);

/// The `--where` expressions of one command, compiled once; safe to use from several threads.
class WhereFilter {
  public:
    /// Parses every expression (a usage error with a caret for the first bad one).
    static Result<WhereFilter> compile(const std::vector<std::string>& expressions);
    /// True when there is no expression (every message matches).
    bool empty() const { return predicates_.empty(); }
    /// True when every expression holds for the message.
    bool matches(const Message& message) const { return matches(message.topic, message.payload); }
    /// True when every expression holds for this topic and payload.
    bool matches(std::string_view topic, std::string_view payload) const;

  private:
    std::vector<Predicate> predicates_;
    bool uses_json_ = false;
    JsonSelection selection_;  // what the predicates' paths can reach in a payload
};

}  // namespace iotctl::base
