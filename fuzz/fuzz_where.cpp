// libFuzzer target: `--where` expressions (core/base/predicate_*.cpp) parsed and evaluated. The
// input is an expression and a payload, split at the first NUL or newline; the payload is also
// the topic. Checks that parsing never crashes or recurses without bound, that every error is
// a usage error whose caret line points into (or just past) the expression, and that `not E`
// always evaluates to the opposite of E.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/payload.h"
#include "core/base/predicate_eval.h"
#include "core/base/predicate_parser.h"

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace iotctl::base;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    size_t split = input.find_first_of(std::string_view("\0\n", 2));
    std::string_view expr = input.substr(0, split);
    std::string_view payload = split == std::string_view::npos ? "" : input.substr(split + 1);

    auto parsed = parse_predicate(expr);
    if (!parsed) {
        const std::string& message = parsed.error().message;
        check(parsed.error().code == ExitCode::usage);
        check(message.rfind("--where: ", 0) == 0 && message.back() == '^');
        size_t caret_line = message.rfind('\n');
        check(caret_line != std::string::npos &&
              message.size() - caret_line - 1 <= 4 + expr.size() + 1);
        return 0;
    }
    std::optional<nlohmann::json> doc = parse_json_payload(payload);
    PredicateInput in{payload, payload, doc ? &*doc : nullptr};
    bool value = evaluate(parsed->root, in);
    PredicateNode negated;
    negated.kind = PredicateNode::Kind::negate;
    negated.children.push_back(parsed->root);
    check(evaluate(negated, in) == !value);

    auto filter = WhereFilter::compile({std::string(expr)});
    check(filter.ok() && filter->matches(payload, payload) == value);
    return 0;
}
