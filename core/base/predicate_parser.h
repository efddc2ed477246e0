// `--where` expressions parsed into a tree: comparisons of a JSON path, `topic`, `topic[N]` or
// `payload` with a literal, `exists(path)`, `and`, `or`, `not` and parentheses (docs/where.md).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"
#include "core/base/json_path.h"

namespace re2 {
class RE2;
}

namespace iotctl::base {

/// Parentheses and `not` nest at most this deep (the parser and the evaluator recurse).
inline constexpr size_t k_max_predicate_depth = 64;

/// A constant on the right of a comparison.
struct PredicateLiteral {
    enum class Kind { number, string, boolean, null } kind = Kind::null;
    double number = 0;
    std::string text;  // the string's value
    bool boolean = false;
};

/// What a comparison looks at.
struct PredicateOperand {
    enum class Kind { path, topic, topic_level, payload } kind = Kind::path;
    JsonPath path;     // Kind::path
    size_t level = 0;  // Kind::topic_level: 0-based topic level
};

/// A comparison operator (`in` takes a list, `~` and `!~` a regular expression).
enum class CompareOp { eq, ne, lt, le, gt, ge, match, no_match, in };

/// One node of a parsed expression.
struct PredicateNode {
    enum class Kind { all, any, negate, compare, exists } kind = Kind::all;
    std::vector<PredicateNode> children;     // all (and), any (or), negate (one child)
    PredicateOperand operand;                // compare, exists (a path)
    CompareOp op = CompareOp::eq;            // compare
    std::vector<PredicateLiteral> literals;  // compare: one, or the list of `in`
    std::shared_ptr<const re2::RE2> regex;   // compare with ~ or !~: compiled once
};

/// A parsed expression with its source text.
struct Predicate {
    std::string text;
    PredicateNode root;
    bool uses_json = false;  // some path is looked up: the payload must be decoded
};

/// Parses one `--where` expression; a usage error shows the expression with a caret under the
/// first bad character (base::caret_message).
Result<Predicate> parse_predicate(std::string_view text);

}  // namespace iotctl::base
