// Every line of tests/fixtures/bad-payloads.txt gets a defined outcome from every preset.
#include <cmath>

#include <doctest/doctest.h>

#include "core/base/payload.h"
#include "core/mapping/engine.h"
#include "core/mapping/mapper.h"
#include "core/mapping/values.h"
#include "mapping_test_support.h"

using namespace iotctl;
using namespace iotctl::testing;

namespace {

struct Expected {
    mapping::MapOutcome::Kind kind;
    std::string reason;
};

const std::string k_no_hexa_field = "no value to store";
const std::string k_no_climate =
    "no member object holding any of Temperature, Humidity, DewPoint, Pressure, SeaPressure, "
    "Illuminance, CarbonDioxide, Gas";

// What each line of bad-payloads.txt comes to, in file order.
const std::vector<Expected> k_hexaboard = {
    {mapping::MapOutcome::dead, "payload is not valid JSON"},
    {mapping::MapOutcome::mapped, "humidity: \"sixty\" is not a number"},
    {mapping::MapOutcome::dead, "payload is not valid JSON"},  // NaN is not JSON
    {mapping::MapOutcome::dead,
     "payload is not valid JSON"},  // 1e999 overflows: rejected by the parser
    {mapping::MapOutcome::dead, "payload is a JSON array, expected a JSON object"},
    {mapping::MapOutcome::dead, "payload is JSON null, expected a JSON object"},
    {mapping::MapOutcome::dead, "payload is empty"},
    {mapping::MapOutcome::mapped, ""},
    // Every other leaf is kept (auto_fields), under a safe name: these are stored now.
    {mapping::MapOutcome::mapped, ""},             // temp_erature
    {mapping::MapOutcome::mapped, ""},             // DROP_TABLE_hexaboard
    {mapping::MapOutcome::dead, k_no_hexa_field},  // ZbReceived: {} holds no leaf
    {mapping::MapOutcome::mapped, ""},             // ZbReceived: a string field
    {mapping::MapOutcome::dead, k_no_hexa_field},  // only a null
};
const std::vector<Expected> k_tasmota = {
    {mapping::MapOutcome::dead, "payload is not valid JSON"},
    {mapping::MapOutcome::dead, k_no_climate},
    {mapping::MapOutcome::dead, "payload is not valid JSON"},
    {mapping::MapOutcome::dead, "payload is not valid JSON"},
    {mapping::MapOutcome::dead, "payload is a JSON array, expected a JSON object"},
    {mapping::MapOutcome::dead, "payload is JSON null, expected a JSON object"},
    {mapping::MapOutcome::dead, "payload is empty"},
    {mapping::MapOutcome::dead, k_no_climate},
    {mapping::MapOutcome::dead, k_no_climate},
    {mapping::MapOutcome::dead, k_no_climate},
    {mapping::MapOutcome::dead, "ZbReceived is empty"},
    {mapping::MapOutcome::dead, "ZbReceived is a string, expected an object"},
    {mapping::MapOutcome::dead, "SHTC3: no value to store"},
};

void check_lines(const std::string& preset_name, const std::string& topic,
                 const std::vector<Expected>& expected) {
    auto mapper = preset(preset_name);
    auto lines = bad_payloads();
    REQUIRE(lines.size() == expected.size());
    for (size_t i = 0; i < lines.size(); ++i) {
        CAPTURE(lines[i]);
        std::vector<base::Record> out;
        mapping::MapOutcome o;
        CHECK_NOTHROW(o = mapper->map(make_message(topic, lines[i]), out));
        CHECK(o.kind == expected[i].kind);
        CHECK(o.reason == expected[i].reason);
        CHECK(out.empty() == (o.kind != mapping::MapOutcome::mapped));
    }
}

// Names are safe identifiers, values finite, every record has a field.
void check_records_safe(const std::vector<base::Record>& records) {
    for (const auto& r : records) {
        CHECK(mapping::is_identifier(r.measurement));
        CHECK_FALSE(r.fields.empty());
        for (const auto& [k, v] : r.tags) {
            CHECK(mapping::is_identifier(k));
            CHECK_FALSE(v.empty());
        }
        for (const auto& [k, v] : r.fields) {
            CHECK(mapping::is_identifier(k));
            if (auto d = std::get_if<double>(&v)) CHECK(std::isfinite(*d));
        }
    }
}

}  // namespace

TEST_CASE("mapping bad payloads: hexaboard topic, hexaboard preset") {
    check_lines("hexaboard", "hexaboard/A/sensor/data", k_hexaboard);
}

TEST_CASE("mapping bad payloads: tele/gw/SENSOR, tasmota preset") {
    check_lines("tasmota", "tele/gw/SENSOR", k_tasmota);
}

TEST_CASE("mapping bad payloads: what is kept from the partly good ones") {
    auto mapper = preset("hexaboard");
    auto lines = bad_payloads();
    std::vector<base::Record> out;
    mapper->map(make_message("hexaboard/A/sensor/data", lines[1]), out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].fields ==
          std::vector<std::pair<std::string, base::FieldValue>>{{"temperature", 25.5}});
    out.clear();
    mapper->map(make_message("hexaboard/A/sensor/data", lines[7]), out);
    REQUIRE(out.size() == 1);
    CHECK(tag(out[0], "board") == "A\nB");  // tag values are kept as sent; sinks escape them

    auto generic = preset("generic");
    out.clear();
    CHECK(generic->map(make_message("hexaboard/A/sensor/data", lines[8]), out).kind ==
          mapping::MapOutcome::mapped);
    REQUIRE(out.size() == 1);
    CHECK(tag(out[0], "board") == "A, B=C");
    CHECK(field(out[0], "temp_erature") == base::FieldValue(25.0));
    out.clear();
    generic->map(make_message("hexaboard/A/sensor/data", lines[9]), out);
    REQUIRE(out.size() == 1);
    CHECK(field_names(out[0]) == std::vector<std::string>{"DROP_TABLE_hexaboard"});
}

TEST_CASE("mapping bad payloads: every preset on every fixture topic never throws") {
    std::vector<std::string> topics;
    for (const auto& m : fixture_messages()) topics.push_back(m.topic);
    for (const std::string name : {"hexaboard", "tasmota", "generic"}) {
        auto mapper = preset(name);
        for (const auto& topic : topics) {
            for (const auto& line : bad_payloads()) {
                CAPTURE(name);
                CAPTURE(topic);
                CAPTURE(line);
                std::vector<base::Record> out;
                mapping::MapOutcome o;
                CHECK_NOTHROW(o = mapper->map(make_message(topic, line), out));
                CHECK((o.kind == mapping::MapOutcome::mapped) == !out.empty());
                if (o.kind != mapping::MapOutcome::mapped) CHECK_FALSE(o.reason.empty());
                check_records_safe(out);
            }
        }
    }
}

TEST_CASE("mapping bad payloads: odd bytes, deep nesting and huge objects stay bounded") {
    auto generic = preset("generic");
    std::vector<base::Record> out;
    CHECK(generic->map(make_message("a/b", std::string("\xff\xfe{", 3)), out).kind ==
          mapping::MapOutcome::dead);
    // Deeper than base::k_max_json_depth: not decoded at all, a dead letter saying why.
    std::string deeper(10000, '[');
    deeper += "1" + std::string(10000, ']');
    out.clear();
    mapping::MapOutcome o;
    CHECK_NOTHROW(o = generic->map(make_message("a/b", deeper), out));
    CHECK(o.kind == mapping::MapOutcome::dead);
    CHECK(o.reason == "payload not decoded as JSON: nested deeper than 512 levels");
    CHECK(out.empty());
    // Within the limit: decoded, and the walk stops at its own depth.
    std::string deep(base::k_max_json_depth, '[');
    deep += "1" + std::string(base::k_max_json_depth, ']');
    CHECK_NOTHROW(o = generic->map(make_message("a/b", deep), out));
    CHECK(o.kind ==
          mapping::MapOutcome::mapped);  // generic counts the event even with nothing else kept
    CHECK(o.reason == "value_0_0_0_0_0_0_0_0: nested too deep, not stored");
    REQUIRE(out.size() == 1);
    CHECK(field_names(out[0]) == std::vector<std::string>{"events"});
    std::string wide = "{";
    for (int i = 0; i < 1000; ++i)
        wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    wide += "}";
    out.clear();
    o = generic->map(make_message("a/b", wide), out);
    CHECK(o.kind == mapping::MapOutcome::mapped);
    CHECK(o.reason == "more than 256 values, rest not stored");
    REQUIRE(out.size() == 1);
    CHECK(out[0].fields.size() == 256);
}

TEST_CASE("mapping bad payloads: a reason is one bounded line") {
    auto tasmota = preset("tasmota");
    std::string many = R"({"ZbReceived":{)";
    for (int i = 0; i < 2000; ++i) many += (i ? ",\"" : "\"") + std::to_string(i) + "\":1";
    many += "}}";
    std::vector<base::Record> out;
    auto o = tasmota->map(make_message("tele/gw/SENSOR", many), out);
    CHECK(o.kind == mapping::MapOutcome::dead);
    CHECK(o.reason.size() == mapping::k_max_reason + 3);
    CHECK(o.reason.starts_with("0: is a number, expected an object; 1: is a number"));
    o = tasmota->map(make_message("tele/gw/SENSOR", R"({"ZbReceived":{"a\nb":1}})"), out);
    CHECK(o.reason == "a?b: is a number, expected an object");
}
