// The seeds' data kept whole (issues 10 and 12): payload times in the gateway's zone, text and
// every other leaf kept as typed fields, the number rule, SQL `time` columns, values that do not
// fit a column, and csv-export's rows per device, local times, labels and line ends.
#include <doctest/doctest.h>

#include "core/base/json_fields.h"
#include "core/base/time_zone.h"
#include "core/capture/csv_table.h"
#include "core/mapping/mapper.h"
#include "core/mapping/values.h"
#include "core/sinks/line_protocol.h"
#include "core/sinks/sql_schema.h"
#include "core/sinks/sql_statements.h"
#include "tests/unit/mapping_test_support.h"

using namespace iotctl;
using namespace iotctl::testing;
using Json = nlohmann::json;

namespace {

constexpr int64_t k_s = 1000000000LL;
const int64_t k_2026_11_20_10h = 1795168800LL * k_s;  // 2026-11-20T10:00:00Z

base::TimeZone zone(const std::string& name) {
    auto z = base::TimeZone::locate(name);
    REQUIRE(z.ok());
    return *z;
}

std::vector<base::Record> map_all(const mapping::Mapper& mapper, const base::Message& m,
                                  mapping::MapOutcome* outcome = nullptr) {
    std::vector<base::Record> out;
    auto o = mapper.map(m, out);
    if (outcome) *outcome = o;
    return out;
}

}  // namespace

TEST_CASE("number rule: only text that is a number entirely, no leading zeros but 0 and 0.x") {
    CHECK(mapping::parse_number_text("0") == 0.0);
    CHECK(mapping::parse_number_text("0.5") == 0.5);
    CHECK(mapping::parse_number_text("-0.25") == -0.25);
    CHECK(mapping::parse_number_text("10") == 10.0);
    CHECK(mapping::parse_number_text("1e3") == 1000.0);
    for (const char* bad : {"010000000000", "0500", "00", "-007", "01.5", "0x1A", "12abc", "1 2"})
        CHECK_FALSE(mapping::parse_number_text(bad));
    // Auto fields keep each leaf's type.
    CHECK(mapping::auto_field_value(Json("010000000000")) ==
          base::FieldValue(std::string("010000000000")));
    CHECK(mapping::auto_field_value(Json("25.5")) == base::FieldValue(25.5));
    CHECK(mapping::auto_field_value(Json(7)) == base::FieldValue(7.0));
    CHECK(mapping::auto_field_value(Json(false)) == base::FieldValue(false));
    CHECK_FALSE(mapping::auto_field_value(Json("")));
    CHECK_FALSE(mapping::auto_field_value(Json(nullptr)));
}

TEST_CASE("time zones: IANA names, UTC, unknown names, wall clock to Unix and back") {
    CHECK(zone("UTC").name() == "UTC");
    CHECK(zone("Asia/Seoul").name() == "Asia/Seoul");
    CHECK(base::TimeZone::locate("Mars/Olympus").error().message ==
          "unknown time zone 'Mars/Olympus' (expected an IANA name such as Asia/Seoul or UTC)");
    // 19:00 in Seoul (UTC+9, no DST) is 10:00 UTC.
    const int64_t wall = k_2026_11_20_10h + 9 * 3600 * k_s;
    CHECK(zone("Asia/Seoul").local_to_unix_ns(wall) == k_2026_11_20_10h);
    CHECK(zone("Asia/Seoul").unix_to_local_ns(k_2026_11_20_10h) == wall);
    CHECK(zone("UTC").local_to_unix_ns(wall) == wall);
    // New York keeps DST: -4 h in July, -5 h in November.
    const int64_t july = 1783072800LL * k_s;  // 2026-07-03T10:00:00Z
    CHECK(zone("America/New_York").local_to_unix_ns(july) == july + 4 * 3600 * k_s);
    CHECK(zone("America/New_York").local_to_unix_ns(k_2026_11_20_10h) ==
          k_2026_11_20_10h + 5 * 3600 * k_s);
}

TEST_CASE("payload times: a zone-less time is read in the zone; Z or an offset wins") {
    auto seoul = zone("Asia/Seoul");
    using F = mapping::TimestampFormat;
    CHECK(*mapping::convert_time(Json("2026-11-20T19:00:00"), F::iso8601, seoul) ==
          k_2026_11_20_10h);
    CHECK(*mapping::convert_time(Json("2026-11-20T19:00:00"), F::automatic, seoul) ==
          k_2026_11_20_10h);
    CHECK(*mapping::convert_time(Json("2026-11-20T10:00:00Z"), F::iso8601, seoul) ==
          k_2026_11_20_10h);
    CHECK(*mapping::convert_time(Json("2026-11-20T11:00:00+01:00"), F::iso8601, seoul) ==
          k_2026_11_20_10h);
    CHECK(*mapping::convert_time(Json("2026-11-20T10:00:00"), F::iso8601) == k_2026_11_20_10h);
    CHECK(*mapping::convert_time(Json(1795168800), F::automatic, seoul) == k_2026_11_20_10h);
}

TEST_CASE("tasmota preset: Time in the payload zone; a map rule's own timezone wins") {
    auto mapper = mapping::make_preset_mapper("tasmota", zone("Asia/Seoul")).take();
    auto records =
        map_all(*mapper, make_message("tele/gw/SENSOR", R"({"Time":"2026-11-20T19:00:00",)"
                                                        R"("SHTC3":{"Temperature":22.1}})"));
    REQUIRE(records.size() == 1);
    CHECK(records[0].ts_ns == k_2026_11_20_10h);

    auto file = mapping::mapper_from_text(R"(
[[rule]]
filter = "a/#"
measurement = "a"
fields.v = "float"
time = { path = "t", format = "iso8601" }
timezone = "Asia/Seoul"

[[rule]]
filter = "b/#"
measurement = "b"
fields.v = "float"
time = { path = "t", format = "iso8601" }
)",
                                          false, zone("UTC"))
                    .take();
    const std::string payload = R"({"t":"2026-11-20T19:00:00","v":1})";
    CHECK(map_all(*file, make_message("a/x", payload)).at(0).ts_ns == k_2026_11_20_10h);
    CHECK(map_all(*file, make_message("b/x", payload)).at(0).ts_ns ==
          k_2026_11_20_10h + 9 * 3600 * k_s);
    CHECK(mapping::mapper_from_text(
              "[[rule]]\nfilter = \"a\"\nmeasurement = \"a\"\nfields.v = \"float\"\n"
              "timezone = \"Nowhere/Land\"\n",
              false)
              .error()
              .message.starts_with("rule[0].timezone: unknown time zone 'Nowhere/Land'"));
}

TEST_CASE("tasmota preset: text leaves are string fields; digits with a leading zero stay text") {
    auto mapper = preset("tasmota");
    auto state = map_all(
        *mapper, make_message("tele/gw/STATE",
                              R"({"Time":"2026-11-20T10:00:05","Uptime":"0T00:05:00",)"
                              R"("UptimeSec":300,"SleepMode":"Dynamic","Wifi":{"SSId":"home"}})"));
    REQUIRE(state.size() == 1);
    CHECK(field(state[0], "Uptime") == base::FieldValue(std::string("0T00:05:00")));
    CHECK(field(state[0], "SleepMode") == base::FieldValue(std::string("Dynamic")));
    CHECK(field(state[0], "Wifi_SSId") == base::FieldValue(std::string("home")));
    CHECK(field(state[0], "UptimeSec") == base::FieldValue(300.0));
    CHECK_FALSE(field(state[0], "Time_"));  // the time is the record's time, not a field

    mapping::MapOutcome outcome;
    auto zb = map_all(*mapper,
                      make_message("tele/gw/SENSOR",
                                   R"({"ZbReceived":{"0x6E5B":{"Device":"0x6E5B","Name":"Kitchen",)"
                                   R"("0500<00":"010000000000","Occupancy":true,"Power":"0"}}})"),
                      &outcome);
    CHECK(outcome.reason == "");
    REQUIRE(zb.size() == 1);
    CHECK(field(zb[0], "n0500_00") == base::FieldValue(std::string("010000000000")));
    CHECK(field(zb[0], "Occupancy") == base::FieldValue(true));
    CHECK(field(zb[0], "Power") == base::FieldValue(0.0));
    CHECK_FALSE(field(zb[0], "Device"));  // already the `device` tag
    CHECK_FALSE(field(zb[0], "Name"));
}

TEST_CASE("hexaboard preset: every other leaf is kept, typed") {
    auto mapper = preset("hexaboard");
    auto r = map_all(*mapper, make_message("hexaboard/A/sensor/data",
                                           R"({"board":"A","temperature":25,"humidity":60,)"
                                           R"("pressure":1013.2,"co2":415,"battery":87,)"
                                           R"("led":"on","timestamp":1732500000})"));
    REQUIRE(r.size() == 1);
    CHECK(field_names(r[0]) ==
          std::vector<std::string>{"humidity", "temperature", "battery", "co2", "led", "pressure"});
    CHECK(field(r[0], "pressure") == base::FieldValue(1013.2));
    CHECK(field(r[0], "co2") == base::FieldValue(415.0));
    CHECK(field(r[0], "led") == base::FieldValue(std::string("on")));
    CHECK(tag_names(r[0]) == std::vector<std::string>{"board"});
    // A bare value is no hexaboard reading.
    mapping::MapOutcome outcome;
    CHECK(map_all(*mapper, make_message("hexaboard/A/sensor/data", "[1,2,3]"), &outcome).empty());
    CHECK(outcome.kind == mapping::MapOutcome::dead);
}

TEST_CASE("mapping: a value left out is named by measurement and field") {
    auto mapper = preset("hexaboard");
    mapping::MapOutcome outcome;
    map_all(*mapper,
            make_message("hexaboard/A/sensor/data", R"({"temperature":20,"humidity":"sixty"})"),
            &outcome);
    CHECK(outcome.kind == mapping::MapOutcome::mapped);
    CHECK(outcome.dropped == std::vector<std::string>{"hexaboard.humidity"});
}

TEST_CASE("SQL plan: a value that does not fit its column is left out of a stored row") {
    sinks::SchemaCache known;
    known["zigbee"] = sinks::TableSchema{
        "zigbee", true, {{"device", sinks::ColumnType::tag}, {"Power", sinks::ColumnType::real}}};
    known["zigbee"].has_time = true;
    std::vector<base::Record> batch{
        base::Record{"zigbee",
                     {{"device", "0x1"}},
                     {{"Power", std::string("high")}, {"Temperature", 21.5}},
                     1},
        base::Record{"zigbee", {{"device", "0x2"}}, {{"Power", std::string("low")}}, 2}};
    auto plan = sinks::plan_batch(batch, known);
    REQUIRE(plan.tables.size() == 1);
    CHECK(plan.tables[0].rows == std::vector<size_t>{0});
    // Only rows that are stored count as partial: record 1 is rejected as a whole.
    CHECK(plan.dropped == std::vector<std::pair<size_t, std::string>>{{0, "Power"}});
    REQUIRE(plan.rejected.size() == 1);
    CHECK(plan.rejected[0].first == 1);
    CHECK(plan.rejected[0].second ==
          "field \"Power\" does not fit column `Power`, which is DOUBLE (no other field to "
          "store)");
}

TEST_CASE("SQL time column: DATETIME(6) / text, indexed, added to older tables") {
    CHECK(sinks::datetime_text(k_2026_11_20_10h + 123456789) == "2026-11-20 10:00:00.123456");
    CHECK(sinks::is_reserved_column("TIME"));
    auto mysql = sinks::create_table_sql(sinks::SqlDialect::mysql, "t", {});
    REQUIRE(mysql.size() == 1);
    CHECK(mysql[0].find("`time` DATETIME(6) NULL") != std::string::npos);
    CHECK(mysql[0].find("KEY (`time`)") != std::string::npos);
    auto sqlite = sinks::create_table_sql(sinks::SqlDialect::sqlite, "t", {});
    REQUIRE(sqlite.size() == 2);
    CHECK(sqlite[0].find("\"time\" TEXT NULL") != std::string::npos);
    CHECK(sqlite[1] == "CREATE INDEX IF NOT EXISTS \"t.time\" ON \"t\" (\"time\")");
    auto alter = sinks::add_time_column_sql(sinks::SqlDialect::mysql, "t");
    REQUIRE(alter.size() == 2);
    CHECK(alter[0] == "ALTER TABLE `t` ADD COLUMN `time` DATETIME(6) NULL, ADD KEY (`time`)");
    CHECK(alter[1].starts_with("UPDATE `t` SET `time` ="));
    CHECK(sinks::insert_sql(sinks::SqlDialect::sqlite, "t", {}, 1)
              .starts_with(
                  "INSERT INTO \"t\" (\"ts_ns\", \"series_hash\", \"time\") VALUES (?, ?, ?)"));
}

TEST_CASE("csv-export: a row per device with the key column, missing leaves empty") {
    auto fields = base::parse_field_list("ZbReceived.*,ZbReceived.*.Name").take();
    auto rows = base::extract_field_rows(
        R"({"ZbReceived":{"0x1":{"Name":"Kitchen"},"0x2":{"Temperature":20}}})", fields);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0][0] == "0x1");
    CHECK(rows[0][1] == "Kitchen");
    CHECK(rows[1][0] == "0x2");
    CHECK_FALSE(rows[1][1]);
    // Without the key column a device with none of the fields still gives no row.
    auto named = base::parse_field_list("ZbReceived.*.Name").take();
    CHECK(base::extract_field_rows(R"({"ZbReceived":{"0x2":{"Temperature":20}}})", named).empty());
}

TEST_CASE("csv-export: local and strftime times, header labels, LF line ends") {
    capture::TimeFormat local(capture::TimeFormat::local);
    local.zone = zone("Asia/Seoul");
    CHECK(capture::format_time(k_2026_11_20_10h + 5000, local) ==
          "2026-11-20T19:00:00.000005+09:00");
    capture::TimeFormat pattern(capture::TimeFormat::pattern);
    pattern.strftime = "%Y-%m-%d %H:%M:%S";
    pattern.zone = zone("Asia/Seoul");
    CHECK(capture::format_time(k_2026_11_20_10h, pattern) == "2026-11-20 19:00:00");
    pattern.strftime = "%H:%M:%S.%f %Z %%f";
    CHECK(capture::format_time(k_2026_11_20_10h + 1500, pattern) == "19:00:00.000001 KST %f");
    CHECK_FALSE(capture::parse_time_format("excel").ok());
    CHECK(capture::parse_time_format("%d.%m.%Y")->kind == capture::TimeFormat::pattern);

    capture::CsvStyle style(capture::TimeFormat::unix_s);
    REQUIRE(capture::add_header_label("timestamp=time", style).ok());
    REQUIRE(capture::add_header_label("a=Temperature (°C)", style).ok());
    CHECK_FALSE(capture::add_header_label("=x", style).ok());
    CHECK_FALSE(capture::add_header_label("nolabel", style).ok());
    style.eol = "\n";
    capture::CsvTable table(base::parse_field_list("a").take(), style, true);
    std::string out;
    table.header(out);
    base::Message m;
    m.topic = "t";
    m.payload = R"({"a":1})";
    m.ts_ns = k_2026_11_20_10h;
    table.rows(m, out);
    CHECK(out == "time,topic,Temperature (°C)\n1795168800,t,1\n");
}

TEST_CASE("line protocol: string fields, or none for servers that cannot store them") {
    base::Record r{"gateway_state",
                   {{"gateway", "gw"}},
                   {{"Uptime", std::string("0T00:05:00")}, {"UptimeSec", 300.0}},
                   5};
    std::string out;
    REQUIRE_FALSE(sinks::append_line(r, out));
    CHECK(out == "gateway_state,gateway=gw Uptime=\"0T00:05:00\",UptimeSec=300 5\n");
    out.clear();
    REQUIRE_FALSE(sinks::append_line(r, out, false));
    CHECK(out == "gateway_state,gateway=gw UptimeSec=300 5\n");
    base::Record text_only{"m", {}, {{"s", std::string("x")}}, 5};
    out.clear();
    CHECK_FALSE(sinks::append_line(text_only, out, false));  // nothing to write, no error
    CHECK(out.empty());
}
