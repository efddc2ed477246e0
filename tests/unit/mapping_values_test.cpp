// Value rules of the mapping: safe names, numbers in text, field conversion, payload times.
#include <doctest/doctest.h>

#include "core/json_path.h"
#include "core/mapping_engine.h"
#include "core/mapping_values.h"

using namespace iotctl;
using Json = nlohmann::json;

TEST_CASE("mapping values: names from payloads become safe identifiers") {
    CHECK(sanitize_identifier("temp erature") == "temp_erature");
    CHECK(sanitize_identifier("`; DROP TABLE hexaboard; --") == "DROP_TABLE_hexaboard");
    CHECK(sanitize_identifier("webos/smarthome/info") == "webos_smarthome_info");
    CHECK(sanitize_identifier("0x6E5B") == "n0x6E5B");
    CHECK(sanitize_identifier("_measurement") == "measurement");
    CHECK(sanitize_identifier("Time") == "Time_");
    CHECK(sanitize_identifier("température") == "temp_rature");
    CHECK(sanitize_identifier("a\nb=c, d") == "a_b_c_d");
    CHECK(sanitize_identifier("--") == "");
    CHECK(sanitize_identifier(std::string(100, 'x')).size() == 64);
    CHECK(is_identifier("Wifi_RSSI"));
    CHECK_FALSE(is_identifier("Wifi.RSSI"));
    CHECK(same_identifier("Temperature", "temperature"));
}

TEST_CASE("mapping values: numbers in text are strict decimals") {
    CHECK(parse_number_text("25.5") == 25.5);
    CHECK(parse_number_text("-3") == -3.0);
    CHECK(parse_number_text("1e3") == 1000.0);
    for (const char* bad : {"", " 1", "1 ", "sixty", "0x10", "inf", "nan", "1e999", "+1", "1,5"})
        CHECK_FALSE(parse_number_text(bad));
}

TEST_CASE("mapping values: conversions to each field type") {
    CHECK(*convert_field(Json("25.5"), FieldType::float64) == FieldValue(25.5));
    CHECK(*convert_field(Json(true), FieldType::float64) == FieldValue(1.0));
    CHECK(convert_field(Json("sixty"), FieldType::float64).error().message ==
          "\"sixty\" is not a number");
    CHECK(convert_field(Json(nullptr), FieldType::float64).error().message == "is null");
    CHECK(*convert_field(Json(7), FieldType::int64) == FieldValue(int64_t{7}));
    CHECK(*convert_field(Json(-7), FieldType::int64) == FieldValue(int64_t{-7}));
    CHECK(*convert_field(Json("12"), FieldType::int64) == FieldValue(int64_t{12}));
    CHECK(*convert_field(Json(3.0), FieldType::int64) == FieldValue(int64_t{3}));
    CHECK(convert_field(Json(18446744073709551615ULL), FieldType::int64).error().message ==
          "18446744073709551615 is not a 64-bit integer");
    CHECK(*convert_field(Json("OFF"), FieldType::boolean) == FieldValue(false));
    CHECK(*convert_field(Json(1), FieldType::boolean) == FieldValue(true));
    CHECK(convert_field(Json(2), FieldType::boolean).error().message == "2 is not a boolean");
    CHECK(*convert_field(Json(25), FieldType::string) == FieldValue(std::string("25")));
    CHECK(*convert_field(Json::array({1, 2}), FieldType::string) ==
          FieldValue(std::string("[1,2]")));
    CHECK(convert_field(Json(std::string(100, 'x')), FieldType::float64).error().message ==
          "\"" + std::string(40, 'x') + "...\" is not a number");
}

TEST_CASE("mapping values: payload times") {
    const int64_t s = 1000000000;
    CHECK(*convert_time(Json(1732500000), TimeFormat::automatic) == 1732500000 * s);
    CHECK(*convert_time(Json(1732500000.25), TimeFormat::automatic) == 1732500000 * s + s / 4);
    CHECK(*convert_time(Json(1732500000123LL), TimeFormat::automatic) == 1732500000123000000);
    CHECK(*convert_time(Json(1732500000123456LL), TimeFormat::automatic) == 1732500000123456000);
    CHECK(*convert_time(Json(1732500000123456789LL), TimeFormat::automatic) == 1732500000123456789);
    CHECK(*convert_time(Json("1732500000"), TimeFormat::automatic) == 1732500000 * s);
    CHECK(*convert_time(Json("2026-11-20T10:00:00"), TimeFormat::automatic) == 1795168800 * s);
    CHECK(*convert_time(Json("2026-11-20T11:00:00+01:00"), TimeFormat::iso8601) == 1795168800 * s);
    CHECK(*convert_time(Json(1732500000), TimeFormat::seconds) == 1732500000 * s);
    CHECK(convert_time(Json(1732500000), TimeFormat::millis).error().message ==
          "1732500000 is before 2000 (clock not set?)");
    CHECK(convert_time(Json("yesterday"), TimeFormat::automatic).error().message ==
          "\"yesterday\" is not an ISO-8601 time");
    CHECK(convert_time(Json("2026-11-20T10:00:00"), TimeFormat::seconds).error().message ==
          "\"2026-11-20T10:00:00\" is not a time");
    CHECK(convert_time(Json(1e30), TimeFormat::seconds).error().message == "1e+30 is out of range");
    CHECK(convert_time(Json(-5), TimeFormat::automatic).error().message == "-5 is out of range");
    CHECK(convert_time(Json(true), TimeFormat::automatic).error().message == "true is not a time");
}

TEST_CASE("mapping values: JSON paths") {
    Json doc = Json::parse(R"({"Time":"t","Wifi":{"RSSI":76},"list":[10,{"x":2}]})");
    const Json& wifi = doc["Wifi"];
    CHECK(*JsonPath::parse("Wifi.RSSI")->find(doc, doc) == 76);
    CHECK(*JsonPath::parse("RSSI")->find(doc, wifi) == 76);
    CHECK(*JsonPath::parse("$.Time")->find(doc, wifi) == "t");
    CHECK(JsonPath::parse("$")->find(doc, wifi) == &doc);
    CHECK(*JsonPath::parse("list.1.x")->find(doc, doc) == 2);
    CHECK(JsonPath::parse("list.2")->find(doc, doc) == nullptr);
    CHECK(JsonPath::parse("Time.x")->find(doc, doc) == nullptr);
    CHECK(JsonPath::parse("a..b").error().message == "empty step in JSON path 'a..b'");
}

TEST_CASE("mapping values: filters covered by another are not subscribed twice") {
    CHECK(filter_covers("#", "a/b"));
    CHECK(filter_covers("a/#", "a"));
    CHECK(filter_covers("a/+/c", "a/b/c"));
    CHECK(filter_covers("+/+", "+/x"));
    CHECK_FALSE(filter_covers("a/+", "a/#"));
    CHECK_FALSE(filter_covers("#", "$SYS/x"));
    CHECK_FALSE(filter_covers("+/x", "$SYS/x"));
    CHECK_FALSE(filter_covers("a/b", "a/+"));
    CHECK(filter_covers("$share/g/a/#", "a/b"));
    std::vector<MappingRule> rules(3);
    rules[0].filter = "a/b";
    rules[1].filter = "a/#";
    rules[2].filter = "a/#";
    CHECK(RuleMapper(rules).filters() == std::vector<std::string>{"a/#"});
}
