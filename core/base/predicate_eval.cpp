#include "core/base/predicate_eval.h"

#include <re2/re2.h>

#include "core/base/number_text.h"
#include "core/base/payload.h"

namespace iotctl::base {

namespace {

// A value under comparison, without copying it out of the document or the message.
struct Scalar {
    enum class Kind { string, number, boolean, null, structured } kind = Kind::null;
    std::string_view text;  // string
    double number = 0;
    bool boolean = false;
    const nlohmann::json* node = nullptr;  // when it came from the payload document
};

Scalar of_json(const nlohmann::json& node) {
    Scalar s;
    s.node = &node;
    if (node.is_string()) {
        s.kind = Scalar::Kind::string;
        s.text = node.get_ref<const std::string&>();
    } else if (node.is_number()) {
        s.kind = Scalar::Kind::number;
        s.number = node.get<double>();
    } else if (node.is_boolean()) {
        s.kind = Scalar::Kind::boolean;
        s.boolean = node.get<bool>();
    } else if (!node.is_null()) {
        s.kind = Scalar::Kind::structured;
    }
    return s;
}

Scalar of_text(std::string_view text) {
    Scalar s;
    s.kind = Scalar::Kind::string;
    s.text = text;
    return s;
}

// The number a value stands for: a JSON number, or a number written as text (the mapping's rule).
std::optional<double> numeric(const Scalar& v) {
    if (v.kind == Scalar::Kind::number) return v.number;
    if (v.kind == Scalar::Kind::string) return parse_number_text(v.text);
    return std::nullopt;
}

bool equals(const Scalar& v, const PredicateLiteral& lit) {
    using Kind = PredicateLiteral::Kind;
    switch (lit.kind) {
        case Kind::number: {
            auto d = numeric(v);
            return d && *d == lit.number;
        }
        case Kind::string:
            return v.kind == Scalar::Kind::string && v.text == lit.text;
        case Kind::boolean:
            return v.kind == Scalar::Kind::boolean && v.boolean == lit.boolean;
        case Kind::null:
            return v.kind == Scalar::Kind::null;
    }
    return false;
}

// <, <=, >, >=: numbers with numbers (also in text), strings with strings (byte order).
bool ordered(const Scalar& v, CompareOp op, const PredicateLiteral& lit) {
    int sign = 0;
    if (lit.kind == PredicateLiteral::Kind::number) {
        auto d = numeric(v);
        if (!d) return false;
        sign = *d < lit.number ? -1 : *d > lit.number ? 1 : 0;
    } else if (lit.kind == PredicateLiteral::Kind::string && v.kind == Scalar::Kind::string) {
        int c = v.text.compare(lit.text);
        sign = c < 0 ? -1 : c > 0 ? 1 : 0;
    } else {
        return false;
    }
    switch (op) {
        case CompareOp::lt:
            return sign < 0;
        case CompareOp::le:
            return sign <= 0;
        case CompareOp::gt:
            return sign > 0;
        default:
            return sign >= 0;
    }
}

// `~`: strings as they are, numbers and booleans as their JSON text; null and objects never.
bool regex_matches(const Scalar& v, const re2::RE2& regex) {
    if (v.kind == Scalar::Kind::string) return RE2::PartialMatch(v.text, regex);
    if ((v.kind == Scalar::Kind::number || v.kind == Scalar::Kind::boolean) && v.node)
        return RE2::PartialMatch(dump_json(*v.node), regex);
    return false;
}

bool compare(const Scalar& v, const PredicateNode& node) {
    switch (node.op) {
        case CompareOp::eq:
            return equals(v, node.literals.front());
        case CompareOp::ne:
            return !equals(v, node.literals.front());
        case CompareOp::match:
            return regex_matches(v, *node.regex);
        case CompareOp::no_match:
            return !regex_matches(v, *node.regex);
        case CompareOp::in:
            for (const auto& lit : node.literals)
                if (equals(v, lit)) return true;
            return false;
        default:
            return ordered(v, node.op, node.literals.front());
    }
}

// Level `n` of a topic (0-based), if it has that many.
std::optional<std::string_view> topic_level(std::string_view topic, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i < n; ++i) {
        size_t slash = topic.find('/', start);
        if (slash == std::string_view::npos) return std::nullopt;
        start = slash + 1;
    }
    return topic.substr(start, topic.find('/', start) - start);
}

bool evaluate_compare(const PredicateNode& node, const PredicateInput& in) {
    const PredicateOperand& operand = node.operand;
    switch (operand.kind) {
        case PredicateOperand::Kind::topic:
            return compare(of_text(in.topic), node);
        case PredicateOperand::Kind::payload:
            return compare(of_text(in.payload), node);
        case PredicateOperand::Kind::topic_level: {
            auto level = topic_level(in.topic, operand.level);
            return level && compare(of_text(*level), node);
        }
        case PredicateOperand::Kind::path:
            break;
    }
    if (!in.doc) return false;
    return operand.path.any_match(*in.doc, *in.doc, [&](const nlohmann::json& found) {
        return compare(of_json(found), node);
    });
}

// Adds every JSON path the expression looks up to `selection`.
void select_paths(const PredicateNode& node, JsonSelection& selection) {
    if ((node.kind == PredicateNode::Kind::compare || node.kind == PredicateNode::Kind::exists) &&
        node.operand.kind == PredicateOperand::Kind::path)
        selection.add(node.operand.path);
    for (const auto& child : node.children) select_paths(child, selection);
}

}  // namespace

bool evaluate(const PredicateNode& node, const PredicateInput& input) {
    switch (node.kind) {
        case PredicateNode::Kind::all:
            for (const auto& child : node.children)
                if (!evaluate(child, input)) return false;
            return true;
        case PredicateNode::Kind::any:
            for (const auto& child : node.children)
                if (evaluate(child, input)) return true;
            return false;
        case PredicateNode::Kind::negate:
            return !evaluate(node.children.front(), input);
        case PredicateNode::Kind::exists:
            return input.doc &&
                   node.operand.path.any_match(*input.doc, *input.doc,
                                               [](const nlohmann::json&) { return true; });
        case PredicateNode::Kind::compare:
            return evaluate_compare(node, input);
    }
    return false;
}

Result<WhereFilter> WhereFilter::compile(const std::vector<std::string>& expressions) {
    WhereFilter filter;
    for (const auto& text : expressions) {
        auto predicate = parse_predicate(text);
        if (!predicate) return predicate.error();
        filter.uses_json_ = filter.uses_json_ || predicate->uses_json;
        select_paths(predicate->root, filter.selection_);
        filter.predicates_.push_back(std::move(*predicate));
    }
    return filter;
}

bool WhereFilter::matches(std::string_view topic, std::string_view payload) const {
    if (predicates_.empty()) return true;
    std::optional<nlohmann::json> doc;
    if (uses_json_) doc = selection_.parse(payload);
    PredicateInput input{topic, payload, doc ? &*doc : nullptr};
    for (const auto& p : predicates_)
        if (!evaluate(p.root, input)) return false;
    return true;
}

}  // namespace iotctl::base
