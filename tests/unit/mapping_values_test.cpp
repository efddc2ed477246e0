// Value rules of the mapping: safe names, numbers in text, field conversion, payload times.
#include <doctest/doctest.h>

#include "core/base/json_path.h"
#include "core/mapping/engine.h"
#include "core/mapping/values.h"

using namespace iotctl;
using Json = nlohmann::json;

TEST_CASE("mapping values: names from payloads become safe identifiers") {
    CHECK(mapping::sanitize_identifier("temp erature") == "temp_erature");
    CHECK(mapping::sanitize_identifier("`; DROP TABLE hexaboard; --") == "DROP_TABLE_hexaboard");
    CHECK(mapping::sanitize_identifier("webos/smarthome/info") == "webos_smarthome_info");
    CHECK(mapping::sanitize_identifier("0x6E5B") == "n0x6E5B");
    CHECK(mapping::sanitize_identifier("_measurement") == "measurement");
    CHECK(mapping::sanitize_identifier("Time") == "Time_");
    CHECK(mapping::sanitize_identifier("température") == "temp_rature");
    CHECK(mapping::sanitize_identifier("a\nb=c, d") == "a_b_c_d");
    CHECK(mapping::sanitize_identifier("--") == "");
    CHECK(mapping::sanitize_identifier(std::string(100, 'x')).size() == 64);
    CHECK(mapping::is_identifier("Wifi_RSSI"));
    CHECK_FALSE(mapping::is_identifier("Wifi.RSSI"));
    CHECK(mapping::same_identifier("Temperature", "temperature"));
}

TEST_CASE("mapping values: numbers in text are strict decimals") {
    CHECK(mapping::parse_number_text("25.5") == 25.5);
    CHECK(mapping::parse_number_text("-3") == -3.0);
    CHECK(mapping::parse_number_text("1e3") == 1000.0);
    for (const char* bad : {"", " 1", "1 ", "sixty", "0x10", "inf", "nan", "1e999", "+1", "1,5"})
        CHECK_FALSE(mapping::parse_number_text(bad));
}

TEST_CASE("mapping values: conversions to each field type") {
    CHECK(*mapping::convert_field(Json("25.5"), mapping::FieldType::float64) ==
          base::FieldValue(25.5));
    CHECK(*mapping::convert_field(Json(true), mapping::FieldType::float64) ==
          base::FieldValue(1.0));
    CHECK(mapping::convert_field(Json("sixty"), mapping::FieldType::float64).error().message ==
          "\"sixty\" is not a number");
    CHECK(mapping::convert_field(Json(nullptr), mapping::FieldType::float64).error().message ==
          "is null");
    CHECK(*mapping::convert_field(Json(7), mapping::FieldType::int64) ==
          base::FieldValue(int64_t{7}));
    CHECK(*mapping::convert_field(Json(-7), mapping::FieldType::int64) ==
          base::FieldValue(int64_t{-7}));
    CHECK(*mapping::convert_field(Json("12"), mapping::FieldType::int64) ==
          base::FieldValue(int64_t{12}));
    CHECK(*mapping::convert_field(Json(3.0), mapping::FieldType::int64) ==
          base::FieldValue(int64_t{3}));
    CHECK(mapping::convert_field(Json(18446744073709551615ULL), mapping::FieldType::int64)
              .error()
              .message == "18446744073709551615 is not a 64-bit integer");
    CHECK(*mapping::convert_field(Json("OFF"), mapping::FieldType::boolean) ==
          base::FieldValue(false));
    CHECK(*mapping::convert_field(Json(1), mapping::FieldType::boolean) == base::FieldValue(true));
    CHECK(mapping::convert_field(Json(2), mapping::FieldType::boolean).error().message ==
          "2 is not a boolean");
    CHECK(*mapping::convert_field(Json(25), mapping::FieldType::string) ==
          base::FieldValue(std::string("25")));
    CHECK(*mapping::convert_field(Json::array({1, 2}), mapping::FieldType::string) ==
          base::FieldValue(std::string("[1,2]")));
    CHECK(mapping::convert_field(Json(std::string(100, 'x')), mapping::FieldType::float64)
              .error()
              .message == "\"" + std::string(40, 'x') + "...\" is not a number");
}

TEST_CASE("mapping values: payload times") {
    const int64_t s = 1000000000;
    CHECK(*mapping::convert_time(Json(1732500000), mapping::TimestampFormat::automatic) ==
          1732500000 * s);
    CHECK(*mapping::convert_time(Json(1732500000.25), mapping::TimestampFormat::automatic) ==
          1732500000 * s + s / 4);
    CHECK(*mapping::convert_time(Json(1732500000123LL), mapping::TimestampFormat::automatic) ==
          1732500000123000000);
    CHECK(*mapping::convert_time(Json(1732500000123456LL), mapping::TimestampFormat::automatic) ==
          1732500000123456000);
    CHECK(*mapping::convert_time(Json(1732500000123456789LL),
                                 mapping::TimestampFormat::automatic) == 1732500000123456789);
    CHECK(*mapping::convert_time(Json("1732500000"), mapping::TimestampFormat::automatic) ==
          1732500000 * s);
    CHECK(*mapping::convert_time(Json("2026-11-20T10:00:00"),
                                 mapping::TimestampFormat::automatic) == 1795168800 * s);
    CHECK(*mapping::convert_time(Json("2026-11-20T11:00:00+01:00"),
                                 mapping::TimestampFormat::iso8601) == 1795168800 * s);
    CHECK(*mapping::convert_time(Json(1732500000), mapping::TimestampFormat::seconds) ==
          1732500000 * s);
    CHECK(
        mapping::convert_time(Json(1732500000), mapping::TimestampFormat::millis).error().message ==
        "1732500000 is before 2000 (clock not set?)");
    CHECK(mapping::convert_time(Json("yesterday"), mapping::TimestampFormat::automatic)
              .error()
              .message == "\"yesterday\" is not an ISO-8601 time");
    CHECK(mapping::convert_time(Json("2026-11-20T10:00:00"), mapping::TimestampFormat::seconds)
              .error()
              .message == "\"2026-11-20T10:00:00\" is not a time");
    CHECK(mapping::convert_time(Json(1e30), mapping::TimestampFormat::seconds).error().message ==
          "1e+30 is out of range");
    CHECK(mapping::convert_time(Json(-5), mapping::TimestampFormat::automatic).error().message ==
          "-5 is out of range");
    CHECK(mapping::convert_time(Json(true), mapping::TimestampFormat::automatic).error().message ==
          "true is not a time");
}

TEST_CASE("mapping values: JSON paths") {
    Json doc = Json::parse(R"({"Time":"t","Wifi":{"RSSI":76},"list":[10,{"x":2}]})");
    const Json& wifi = doc["Wifi"];
    CHECK(*base::JsonPath::parse("Wifi.RSSI")->find(doc, doc) == 76);
    CHECK(*base::JsonPath::parse("RSSI")->find(doc, wifi) == 76);
    CHECK(*base::JsonPath::parse("$.Time")->find(doc, wifi) == "t");
    CHECK(base::JsonPath::parse("$")->find(doc, wifi) == &doc);
    CHECK(*base::JsonPath::parse("list.1.x")->find(doc, doc) == 2);
    CHECK(base::JsonPath::parse("list.2")->find(doc, doc) == nullptr);
    CHECK(base::JsonPath::parse("Time.x")->find(doc, doc) == nullptr);
    CHECK(base::JsonPath::parse("a..b").error().message == "empty step in JSON path 'a..b'");
}

TEST_CASE("mapping values: filters covered by another are not subscribed twice") {
    CHECK(mapping::filter_covers("#", "a/b"));
    CHECK(mapping::filter_covers("a/#", "a"));
    CHECK(mapping::filter_covers("a/+/c", "a/b/c"));
    CHECK(mapping::filter_covers("+/+", "+/x"));
    CHECK_FALSE(mapping::filter_covers("a/+", "a/#"));
    CHECK_FALSE(mapping::filter_covers("#", "$SYS/x"));
    CHECK_FALSE(mapping::filter_covers("+/x", "$SYS/x"));
    CHECK_FALSE(mapping::filter_covers("a/b", "a/+"));
    CHECK(mapping::filter_covers("$share/g/a/#", "a/b"));
    std::vector<mapping::MappingRule> rules(3);
    rules[0].filter = "a/b";
    rules[1].filter = "a/#";
    rules[2].filter = "a/#";
    CHECK(mapping::RuleMapper(rules).filters() == std::vector<std::string>{"a/#"});
}
