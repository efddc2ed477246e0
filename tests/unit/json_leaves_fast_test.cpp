#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/base/json_leaves.h"
#include "core/base/json_leaves_fast.h"
#include "core/base/payload.h"

using namespace iotctl;

namespace {
using Pairs = std::vector<std::pair<std::string, std::string>>;

// json_object_leaves' answer and leaves; a trailing newline sends a payload down nlohmann's path
// (white space after the value changes nothing in what it means).
std::pair<bool, Pairs> leaves_of(const std::string& payload) {
    std::vector<base::JsonLeaf> leaves;
    bool ok = base::json_object_leaves(payload, leaves);
    Pairs got;
    for (auto& l : leaves) got.emplace_back(l.path, l.text);
    return {ok, got};
}
}  // namespace

TEST_CASE("simdjson's path gives exactly what nlohmann's gives, valid or not") {
    const std::vector<std::string> payloads{
        R"({"board":"A","temperature":21.5,"humidity":40,"light":512,"timestamp":1732500000})",
        R"({"a":-0})",
        R"({"a":-0.0})",
        R"({"a":1E5})",
        R"({"a":1.50})",
        R"({"a":0})",
        R"({"a":12345678901234567890123})",
        R"({"a":18446744073709551615})",
        R"({"a":-9223372036854775808})",
        R"({"a":-9223372036854775809})",
        R"({"a":1e400})",
        R"({"a":01})",
        R"({"a":1.})",
        R"({"a":.5})",
        R"({"a":+1})",
        R"({"a":-})",
        R"({"a":1e})",
        R"({"a":tru})",
        R"({"a":truex})",
        R"({"a":nul})",
        R"({"a":NaN})",
        R"({"a":Infinity})",
        R"({"a":[1,{},[],{"b":null},[true,false]]})",
        R"({"a":1}x)",
        R"({"a":1} )",
        R"( {"a" : 1 , "b" : [ 1 , 2 ] } )",
        R"({"a":1,})",
        R"({"a" 1})",
        R"({})",
        R"({"":1})",
        R"({"a":{"":2}})",
        "{\"a\":\"\xff\"}",
        "{\"\xc3\xa9\":\"\xc3\xbc\xe2\x98\x83\"}",
        R"({"a":1,"a":2})",
        R"([1])",
        R"("s")",
        R"({"a":"x")",
        R"({'a':1})",
        R"({"a":1}{})",
        R"({"a":[)",
        R"({"a":{"b":{"c":{"d":[[[1]]]}}}})",
        "",
        " ",
        "online",
        R"({"a":"x"})",
        R"({"a":1 , })",
        R"({,})",
        R"({"a":[1,]})",
        R"({"a":[,1]})",
        R"({"a":true,"b":false})"};
    for (const auto& p : payloads) {
        CAPTURE(p);
        std::vector<base::JsonLeaf> scratch;
        const auto fast = base::fast_object_leaves(p, scratch);
        const auto got = leaves_of(p);
        const auto slow = leaves_of(p + "\n");  // never the fast path
        CHECK(got == slow);
        if (fast && *fast) {
            Pairs f;
            for (auto& l : scratch) f.emplace_back(l.path, l.text);
            CHECK(f == slow.second);
        }
    }
    // The plain hexaboard payload does take the fast path, and escapes never do.
    std::vector<base::JsonLeaf> scratch;
    CHECK(base::fast_object_leaves(payloads[0], scratch) == std::optional<bool>(true));
    CHECK_FALSE(base::fast_object_leaves(R"({"a":"x\"y"})", scratch).has_value());
    CHECK_FALSE(base::fast_object_leaves("{\"a\":\n1}", scratch).has_value());
    CHECK(base::fast_object_leaves("online", scratch) == std::optional<bool>(false));
}

TEST_CASE("over a JSON limit the reason is given as before, object or not") {
    const size_t saved = base::max_json_bytes();
    base::set_max_json_bytes(10);
    std::vector<base::JsonLeaf> leaves;
    std::string reason;
    CHECK_FALSE(base::json_object_leaves(R"({"a":12345678})", leaves, &reason));
    CHECK(reason == "larger than --max-json-bytes (14 > 10 bytes)");
    reason.clear();
    CHECK_FALSE(base::json_object_leaves("online, and more", leaves, &reason));
    CHECK(reason == "larger than --max-json-bytes (16 > 10 bytes)");
    base::set_max_json_bytes(saved);
    reason.clear();
    const std::string deep = std::string(600, '[') + std::string(600, ']');
    CHECK_FALSE(base::json_object_leaves("{\"a\":" + deep + "}", leaves, &reason));
    CHECK(reason == "nested deeper than 512 levels");
    reason.clear();
    CHECK_FALSE(base::json_object_leaves("text " + deep, leaves, &reason));
    CHECK(reason == "nested deeper than 512 levels");
    reason.clear();
    // Brackets inside strings do not count.
    CHECK(base::json_object_leaves("{\"a\":\"" + deep + "\"}", leaves, &reason));
    CHECK(reason.empty());
}
