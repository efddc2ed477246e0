// Line protocol escaping and formatting (core/line_protocol.h), checked against what
// InfluxDB 1.6 and VictoriaMetrics were seen to store (see docs/sinks.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/line_protocol.h"

using namespace iotctl;

TEST_SUITE_BEGIN("line_protocol");

TEST_CASE("measurement escaping: comma and space, newline as the two characters \\n") {
    CHECK(escape_measurement("a,b c") == "a\\,b\\ c");
    CHECK(escape_measurement("a=b") == "a=b");
    CHECK(escape_measurement("x\ny\rz") == "x\\ny\\rz");
}

TEST_CASE("tag and field key escaping: comma, equals sign, space") {
    CHECK(escape_key("A, B=C") == "A\\,\\ B\\=C");
    CHECK(escape_key("temp erature") == "temp\\ erature");
    CHECK(escape_key("plain_Key-1.2") == "plain_Key-1.2");
    CHECK(escape_key("é\tü") == "é\tü");  // a tab is not a separator
    CHECK(escape_key("A\nB") == "A\\nB");
}

TEST_CASE("a backslash is doubled only where it would escape what follows") {
    CHECK(escape_key("C:\\temp") == "C:\\temp");        // before an ordinary character: as is
    CHECK(escape_key("end\\") == "end\\\\");            // at the end
    CHECK(escape_key("a\\,b") == "a\\\\\\,b");          // before an escaped comma
    CHECK(escape_key("a\\\\b") == "a\\\\\\b");          // before another backslash
    CHECK(escape_measurement("m\\ x") == "m\\\\\\ x");  // before an escaped space
}

TEST_CASE("string field values escape double quotes and backslashes, keep newlines") {
    CHECK(escape_string_field("say \"hi\"") == "say \\\"hi\\\"");
    CHECK(escape_string_field("c:\\") == "c:\\\\");
    CHECK(escape_string_field("line1\nline2") == "line1\nline2");
}

TEST_CASE("field values by type") {
    CHECK(format_field_value(FieldValue{25.0}) == "25");
    CHECK(format_field_value(FieldValue{24.5}) == "24.5");
    CHECK(format_field_value(FieldValue{0.1}) == "0.1");
    CHECK(format_field_value(FieldValue{1e20}) == "1e+20");
    CHECK(format_field_value(FieldValue{int64_t{800}}) == "800i");
    CHECK(format_field_value(FieldValue{std::numeric_limits<int64_t>::min()}) ==
          "-9223372036854775808i");
    CHECK(format_field_value(FieldValue{true}) == "true");
    CHECK(format_field_value(FieldValue{false}) == "false");
    CHECK(format_field_value(FieldValue{std::string("on \"x\"")}) == "\"on \\\"x\\\"\"");
    CHECK_FALSE(format_field_value(FieldValue{std::nan("")}).has_value());
    CHECK_FALSE(
        format_field_value(FieldValue{std::numeric_limits<double>::infinity()}).has_value());
    CHECK_FALSE(
        format_field_value(FieldValue{-std::numeric_limits<double>::infinity()}).has_value());
}

TEST_CASE("a hexaboard record as one line") {
    Record r{"hexaboard",
             {{"board", "A"}},
             {{"temperature", 25.0}, {"humidity", int64_t{60}}, {"light", int64_t{800}}},
             1732500000000000000};
    std::string out;
    CHECK_FALSE(append_line(r, out).has_value());
    CHECK(out == "hexaboard,board=A temperature=25,humidity=60i,light=800i 1732500000000000000\n");
}

TEST_CASE("awkward tags stay on one line; empty tags are left out; NaN fields skipped") {
    Record r{"zigbee",
             {{"name", "Kitchen\nDoor"}, {"room", ""}, {"who", "'; DROP TABLE zigbee; --"}},
             {{"t", std::nan("")}, {"ok", true}, {"note", std::string("a\"b")}},
             5};
    std::string out = "previous\n";
    CHECK_FALSE(append_line(r, out).has_value());
    CHECK(out ==
          "previous\nzigbee,name=Kitchen\\nDoor,who=';\\ DROP\\ TABLE\\ zigbee;\\ --"
          " ok=true,note=\"a\\\"b\" 5\n");
    CHECK(std::count(out.begin(), out.end(), '\n') == 2);
}

TEST_CASE("records line protocol cannot carry are refused with a reason, out untouched") {
    std::string out = "kept\n";
    auto refuse = [&](const Record& r) {
        auto why = append_line(r, out);
        CHECK(why.has_value());
        CHECK(out == "kept\n");
        return why.value_or("");
    };
    CHECK(refuse(Record{"m", {}, {{"v", std::nan("")}}, 1}).find("no field") != std::string::npos);
    CHECK(refuse(Record{"m", {}, {}, 1}).find("no field") != std::string::npos);
    CHECK(refuse(Record{"", {}, {{"v", 1.0}}, 1}).find("empty measurement") != std::string::npos);
    CHECK(refuse(Record{"#m", {}, {{"v", 1.0}}, 1}).find("comment") != std::string::npos);
    CHECK(refuse(Record{"m", {{"", "x"}}, {{"v", 1.0}}, 1}).find("empty tag key") !=
          std::string::npos);
    CHECK(refuse(Record{"m", {}, {{"", 1.0}}, 1}).find("empty field key") != std::string::npos);
    CHECK(refuse(Record{"m", {}, {{"time", 1.0}}, 1}).find("`time`") != std::string::npos);
    CHECK(refuse(Record{"m", {{"time", "x"}}, {{"v", 1.0}}, 1}).find("`time`") !=
          std::string::npos);
}

TEST_SUITE_END();
