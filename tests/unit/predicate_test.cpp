// `--where`: the parser, its caret errors, and evaluation on the fixture payloads.
#include <doctest/doctest.h>

#include "core/base/number_text.h"
#include "core/base/payload.h"
#include "core/base/predicate_eval.h"
#include "mapping_test_support.h"

using namespace iotctl;

namespace {

// True when the one expression holds for topic and payload.
bool holds(const std::string& expr, const std::string& topic, const std::string& payload) {
    auto filter = base::WhereFilter::compile({expr});
    REQUIRE_MESSAGE(filter.ok(), filter.error().message);
    return filter->matches(topic, payload);
}

// The error message for a bad expression (fails the test when it parses).
std::string error_of(const std::string& expr) {
    auto p = base::parse_predicate(expr);
    REQUIRE_MESSAGE(!p.ok(), "parsed: " << expr);
    CHECK(p.error().code == base::ExitCode::usage);
    return p.error().message;
}

// The caret's column (0-based, in the expression) in an error message.
size_t caret_column(const std::string& message) {
    auto last = message.rfind('\n');
    REQUIRE(last != std::string::npos);
    std::string caret_line = message.substr(last + 1);
    REQUIRE(caret_line.back() == '^');
    return caret_line.size() - 1 - 4;  // the expression is indented by 4
}

// The fixture message on `topic` whose payload contains `marker`.
base::Message fixture(const std::string& topic, const std::string& marker) {
    for (auto& m : testing::fixture_messages())
        if (m.topic == topic && m.payload.find(marker) != std::string::npos) return m;
    FAIL("no fixture message on " << topic << " with " << marker);
    return {};
}

bool holds_on(const std::string& expr, const base::Message& m) {
    return holds(expr, m.topic, m.payload);
}

}  // namespace

TEST_CASE("where: the examples of the issue parse") {
    for (const char* e :
         {"temperature > 30", "status == \"online\"", "Wifi.RSSI <= 40",
          "ZbReceived.*.Contact == true", "board in [\"A\",\"C\"]", "Name ~ \"^Kitchen\"",
          "exists(BatteryPercentage)", "not (a == 1 or b != 2) and c >= -3.5",
          "topic == \"a/b\" and topic[1] == \"A\"", "payload ~ \"^on\"", "$.topic == 'x'",
          "x !~ 'y'", "x == null", "Température > 1"}) {
        auto p = base::parse_predicate(e);
        CHECK_MESSAGE(p.ok(), e << ": " << (p.ok() ? "" : p.error().message));
    }
}

TEST_CASE("where: errors show the expression with a caret under the first bad character") {
    std::string m = error_of("temperature >");
    CHECK(m == "--where: expected a value after '>'\n    temperature >\n                 ^");
    CHECK(caret_column(m) == 13);

    CHECK(caret_column(error_of("temperature > > 3")) == 14);
    CHECK(caret_column(error_of("temperature # 3")) == 12);
    CHECK(error_of("temperature # 3").find("unexpected character '#'") != std::string::npos);
    CHECK(caret_column(error_of("status = \"x\"")) == 7);
    CHECK(error_of("status = \"x\"").find("use '=='") != std::string::npos);
    CHECK(caret_column(error_of("status == online")) == 10);
    CHECK(error_of("status == online").find("\"online\"") != std::string::npos);
    CHECK(caret_column(error_of("a == 1 b == 2")) == 7);
    CHECK(caret_column(error_of("(a == 1")) == 7);
    CHECK(caret_column(error_of("a == 1)")) == 6);
    CHECK(caret_column(error_of("name == \"open")) == 8);  // the unclosed string's quote
    CHECK(caret_column(error_of("temperature")) == 11);    // operator missing at the end
    CHECK(caret_column(error_of("30 < temperature")) == 0);
    CHECK(caret_column(error_of("a ~ 3")) == 4);
    CHECK(caret_column(error_of("a ~ \"(\"")) == 4);
    CHECK(error_of("a ~ \"(\"").find("invalid regular expression") != std::string::npos);
    CHECK(caret_column(error_of("a < true")) == 4);
    CHECK(caret_column(error_of("a in []")) == 6);
    CHECK(caret_column(error_of("a in [1 2]")) == 8);
    CHECK(caret_column(error_of("topic[x] == \"a\"")) == 6);
    CHECK(caret_column(error_of("a..b == 1")) == 0);
    CHECK(caret_column(error_of("exists(topic)")) == 7);
    CHECK(caret_column(error_of("a == 1 and")) == 10);
    CHECK(caret_column(error_of("")) == 0);
    // The column counts characters, not bytes.
    CHECK(caret_column(error_of("Température >")) == 13);
    // Nesting is bounded (the parser and the evaluator recurse).
    std::string deep(base::k_max_predicate_depth + 1, '(');
    CHECK(error_of(deep + "a == 1").find("nested more than") != std::string::npos);
    std::string nots;
    for (size_t i = 0; i <= base::k_max_predicate_depth; ++i) nots += "not ";
    CHECK(error_of(nots + "a == 1").find("nested more than") != std::string::npos);
}

TEST_CASE("where: comparisons on the fixture payloads") {
    auto a = fixture("hexaboard/A/sensor/data", "\"A\"");
    auto b = fixture("hexaboard/B/sensor/data", "\"B\"");
    CHECK(holds_on("temperature > 24.9", a));
    CHECK_FALSE(holds_on("temperature > 24.9", b));
    CHECK(holds_on("temperature >= 24.5 and temperature <= 24.5", b));
    CHECK(holds_on("board in [\"A\",\"C\"]", a));
    CHECK_FALSE(holds_on("board in [\"A\",\"C\"]", b));
    CHECK(holds_on("board != \"B\"", a));
    CHECK(holds_on("exists(light)", a));
    CHECK_FALSE(holds_on("exists(light)", b));
    CHECK(holds_on("not exists(light)", b));
    CHECK_FALSE(holds_on("light != 1", b));  // a missing path makes every comparison false
    CHECK(holds_on("topic[1] == \"A\" and topic[0] == 'hexaboard'", a));
    CHECK_FALSE(holds_on("topic[9] == \"A\"", a));
    CHECK(holds_on("topic ~ \"/sensor/data$\"", a));

    auto status = fixture("hexaboard/A/status", "online");
    CHECK(holds_on("payload == \"online\"", status));
    CHECK_FALSE(holds_on("status == \"online\"", status));  // not JSON: paths are false
    CHECK(holds_on("not exists(status)", status));

    auto shtc = fixture("tele/gw-livingroom/SENSOR", "SHTC3");
    CHECK(holds_on("SHTC3.Temperature < 22.2 and SHTC3.Temperature > 22", shtc));
    CHECK(holds_on("Time >= \"2026-11-20\"", shtc));

    auto kitchen = fixture("tele/gw-livingroom/SENSOR", "Kitchen");
    CHECK(holds_on("ZbReceived.*.Name ~ \"^Kitchen\"", kitchen));
    CHECK(holds_on("exists(ZbReceived)", kitchen));
    CHECK_FALSE(holds_on("exists(ZbReceived.*.Contact)", kitchen));

    auto door = fixture("tele/gw-livingroom/SENSOR", "FrontDoor");
    CHECK(holds_on("ZbReceived.*.Contact == 1", door));  // one device of two has it
    CHECK(holds_on("ZbReceived.*.ActivePower > 30", door));
    CHECK_FALSE(holds_on("ZbReceived.*.Name ~ \"^Kitchen\"", door));
    CHECK(holds_on("ZbReceived.0x1A2B.LinkQuality == 120", door));

    auto state = fixture("tele/gw-livingroom/STATE", "Wifi");
    CHECK(holds_on("Wifi.RSSI <= 80 and Wifi.Signal < -60", state));
    CHECK_FALSE(holds_on("Wifi.RSSI <= 40", state));
}

TEST_CASE("where: numbers in text compare as numbers (the mapping's rule)") {
    CHECK(holds("t > 13", "x", R"({"t":"13.1"})"));
    CHECK(holds("t == 13.1", "x", R"({"t":"13.1"})"));
    CHECK_FALSE(holds("t > 13", "x", R"({"t":"0x20"})"));          // no hex, as in the mapping
    CHECK_FALSE(holds("t > 13", "x", R"({"t":" 20"})"));           // no spaces
    CHECK_FALSE(holds("t == \"13.10\"", "x", R"({"t":"13.1"})"));  // text is text
    CHECK(holds("payload > 20", "sensors/temp", "23.5"));
    CHECK(base::parse_number_text("1e3") == 1000.0);
    CHECK_FALSE(base::parse_number_text("nan").has_value());
}

TEST_CASE("where: booleans, null, regex and `*` over arrays") {
    const std::string z = R"({"ZbReceived":{"0x1":{"Contact":false},"0x2":{"Contact":true}}})";
    CHECK(holds("ZbReceived.*.Contact == true", "t", z));
    CHECK(holds("ZbReceived.*.Contact == false", "t", z));
    CHECK_FALSE(holds("ZbReceived.*.Contact == 1", "t", z));  // a boolean is not a number
    CHECK(holds("v == null", "t", R"({"v":null})"));
    CHECK_FALSE(holds("v == null", "t", R"({})"));
    CHECK(holds("list.*.id == 3", "t", R"({"list":[{"id":1},{"id":3}]})"));
    CHECK(holds("list.1.id == 3", "t", R"({"list":[{"id":1},{"id":3}]})"));
    CHECK(holds("n ~ \"^4\\d$\"", "t", R"({"n":42})"));  // numbers match as their text
    CHECK(holds("Name !~ 'Kitchen'", "t", R"({"Name":"Hall"})"));
    CHECK(holds("$.topic == \"in payload\"", "t", R"({"topic":"in payload"})"));
    CHECK(holds("a == 1 or b == 2 and c == 3", "t", R"({"a":1})"));  // and binds tighter
    CHECK_FALSE(holds("(a == 1 or b == 2) and c == 3", "t", R"({"a":1})"));
}

TEST_CASE("where: every expression must hold, the payload is decoded within the limits") {
    auto f = base::WhereFilter::compile({"a > 1", "topic[0] == \"x\""});
    REQUIRE(f.ok());
    CHECK(f->matches("x/y", R"({"a":2})"));
    CHECK_FALSE(f->matches("z/y", R"({"a":2})"));
    CHECK_FALSE(f->matches("x/y", R"({"a":1})"));
    CHECK(base::WhereFilter::compile({})->matches("any", "thing"));
    CHECK(base::WhereFilter::compile({})->empty());

    // Deeper than the JSON depth limit: not decoded, so the path is false.
    std::string deep = std::string(600, '[') + std::string(600, ']');
    CHECK_FALSE(holds("exists($)", "t", deep));
    CHECK(holds("exists($)", "t", "[1]"));
    // Larger than --max-json-bytes: not decoded either.
    base::set_max_json_bytes(16);
    CHECK_FALSE(holds("a == 1", "t", R"({"a":1,"padding":"xxxxxxxxxx"})"));
    base::set_max_json_bytes(base::k_default_max_json_bytes);
    CHECK(holds("a == 1", "t", R"({"a":1,"padding":"xxxxxxxxxx"})"));
}
