#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>

#include "core/base/csv_format.h"
#include "core/base/json_fields.h"
#include "core/base/json_leaves.h"
#include "core/base/message_json.h"
#include "core/base/payload.h"
#include "core/capture/csv_export.h"
#include "core/capture/csv_table.h"
#include "core/capture/progress_meter.h"

using namespace iotctl;

namespace {
base::Message msg(std::string topic, std::string payload, int64_t ts = 1795168800'500000000) {
    base::Message m;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    m.ts_ns = ts;
    return m;
}
}  // namespace

TEST_CASE("RFC 4180 fields are quoted only when needed; records end with CRLF") {
    std::string out;
    base::append_csv_record(out, {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "", "ünï"});
    CHECK(out == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",,ünï\r\n");
}

TEST_CASE("JSON leaves: dotted paths in document order, arrays numbered, text as written") {
    std::vector<base::JsonLeaf> leaves;
    REQUIRE(
        base::json_object_leaves(R"({"b":{"x":1.50,"y":[true,null,"s"]},"a":-3,"e":{}})", leaves));
    std::vector<std::pair<std::string, std::string>> got;
    for (auto& l : leaves) got.emplace_back(l.path, l.text);
    CHECK(got ==
          std::vector<std::pair<std::string, std::string>>{
              {"b.x", "1.50"}, {"b.y.0", "true"}, {"b.y.1", ""}, {"b.y.2", "s"}, {"a", "-3"}});
    for (const char* not_object :
         {"online", "42", "\"s\"", "[1,2]", "{\"a\":1", "", "{\"a\":\"\xff\"}"})
        CHECK_FALSE(base::json_object_leaves(not_object, leaves));
    CHECK(leaves.empty());
}

TEST_CASE("--fields: paths, wildcard rows, and bad lists") {
    auto fields = base::parse_field_list("ZbReceived.*,ZbReceived.*.Temperature,TempUnit");
    REQUIRE(fields.ok());
    std::string payload =
        R"({"TempUnit":"C","ZbReceived":{"0x2":{"Temperature":21.5},"0x1":{"Contact":1}}})";
    auto rows = base::extract_field_rows(payload, *fields);
    REQUIRE(rows.size() == 2);
    CHECK(*rows[0][0] == "0x1");
    CHECK_FALSE(rows[0][1].has_value());
    CHECK(*rows[0][2] == "C");
    CHECK(*rows[1][1] == "21.5");
    CHECK(base::extract_field_rows(R"({"x":1})", *base::parse_field_list("a,b.c")).empty());
    CHECK(base::json_cell_text(R"({"k": [1, "a"]})") == R"({"k":[1,"a"]})");
    CHECK(base::parse_field_list("a,,b").error().message ==
          "invalid --fields entry '': empty name");
    CHECK_FALSE(base::parse_field_list("a.*.*").ok());
    CHECK(base::parse_field_list("a.*.x,b.*.y").error().message ==
          "invalid --fields entry 'b.*.y': every field with * must share the part before it");
}

TEST_CASE("default columns: union of leaves in first-seen order; reserved names prefixed") {
    capture::CsvTable table(std::vector<std::string>{}, capture::TimeFormat::unix_ms, true);
    table.set_discovering(true);
    std::string out;
    table.rows(msg("t", R"({"temperature":1,"timestamp":5})"), out);
    table.rows(msg("t", "online"), out);
    table.rows(msg("t", R"({"humidity":2,"temperature":3})"), out);
    CHECK(table.column_count() == 4);
    CHECK(out == "1795168800500,t,1,5\r\n1795168800500,t,,,online\r\n1795168800500,t,3,,,2\r\n");
    table.set_discovering(false);
    out.clear();
    table.header(out);
    CHECK(out == "timestamp,topic,temperature,payload.timestamp,payload,humidity\r\n");
    out.clear();
    CHECK(table.rows(msg("a,b", R"({"humidity":2})"), out) == 1);
    CHECK(table.rows(msg("t", std::string("\x00\xff", 2)), out) == 1);
    CHECK(out == "1795168800500,\"a,b\",,,,2\r\n1795168800500,t,,,base64:AP8=,\r\n");
}

TEST_CASE("time formats") {
    CHECK(capture::format_time(1795168800'123456789, capture::TimeFormat::iso) ==
          "2026-11-20T10:00:00.123456Z");
    CHECK(capture::format_time(1795168800'999000000, capture::TimeFormat::unix_s) == "1795168800");
    CHECK(capture::format_time(1795168800'999000000, capture::TimeFormat::unix_ms) ==
          "1795168800999");
    CHECK(capture::format_time(-1, capture::TimeFormat::unix_s) == "-1");
    CHECK(capture::parse_time_format("unix-ms").ok());
    CHECK_FALSE(capture::parse_time_format("excel").ok());
}

TEST_CASE("progress line") {
    CHECK(capture::render_progress(50, 100, 1234.4, 65, 10) ==
          "[#####-----]  50%  50/100 msg  1234 msg/s  ETA 0:01:05");
    CHECK(capture::render_progress(7, 0, 3, -1) == "7 msg  3 msg/s");
}

TEST_CASE("--fields: scalars from leaves, objects as JSON, rows only when a field is present") {
    capture::CsvTable table(*base::parse_field_list("SHTC3,Wifi.RSSI,board"),
                            capture::TimeFormat::unix_s, false);
    std::string out;
    CHECK(table.rows(msg("t", R"({"SHTC3":{"T":22.1},"board":"A"})"), out) == 1);
    CHECK(table.rows(msg("t", R"({"Wifi":{"RSSI":76}})"), out) == 1);
    CHECK(table.rows(msg("t", R"({"other":1})"), out) == 0);
    CHECK(table.rows(msg("t", "online"), out) == 0);
    CHECK(out == "1795168800,\"{\"\"T\"\":22.1}\",,A\r\n1795168800,,76,\r\n");
}

TEST_CASE("default columns in one pass: rows made before a late column get every cell") {
    std::string path = "/tmp/iotctl-unit-csv-" + std::to_string(::getpid()) + ".jsonl";
    {
        std::ofstream f(path);
        for (const char* payload : {R"({"a":1})", "raw", R"({"a":2,"b":"x,y"})", R"({"b":3})",
                                    R"({"c":4})", R"({"a":5})"})
            f << base::dump_json(base::message_to_json(msg("t", payload))) << '\n';
    }
    capture::CsvExportOptions opts;
    opts.style = capture::TimeFormat::unix_s;
    opts.with_topic = false;
    std::string out;
    auto stats = capture::export_capture_csv(path, opts, [&](std::string_view c) { out += c; });
    std::remove(path.c_str());
    REQUIRE(stats.ok());
    CHECK(stats->messages == 6);
    CHECK(out ==
          "timestamp,a,payload,b,c\r\n"
          "1795168800,1,,,\r\n1795168800,,raw,,\r\n1795168800,2,,\"x,y\",\r\n"
          "1795168800,,,3,\r\n1795168800,,,,4\r\n1795168800,5,,,\r\n");
}
