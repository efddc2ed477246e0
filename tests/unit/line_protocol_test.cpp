// Line protocol escaping and formatting (core/sinks/line_protocol.h), checked against what
// InfluxDB 1.6 and VictoriaMetrics were seen to store (see docs/sinks.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/sinks/line_protocol.h"

using namespace iotctl;

TEST_SUITE_BEGIN("line_protocol");

TEST_CASE("measurement escaping: comma and space, newline as the two characters \\n") {
    CHECK(sinks::escape_measurement("a,b c") == "a\\,b\\ c");
    CHECK(sinks::escape_measurement("a=b") == "a=b");
    CHECK(sinks::escape_measurement("x\ny\rz") == "x\\ny\\rz");
}

TEST_CASE("tag and field key escaping: comma, equals sign, space") {
    CHECK(sinks::escape_key("A, B=C") == "A\\,\\ B\\=C");
    CHECK(sinks::escape_key("temp erature") == "temp\\ erature");
    CHECK(sinks::escape_key("plain_Key-1.2") == "plain_Key-1.2");
    CHECK(sinks::escape_key("é\tü") == "é\tü");  // a tab is not a separator
    CHECK(sinks::escape_key("A\nB") == "A\\nB");
}

TEST_CASE("a backslash is doubled only where it would escape what follows") {
    CHECK(sinks::escape_key("C:\\temp") == "C:\\temp");  // before an ordinary character: as is
    CHECK(sinks::escape_key("end\\") == "end\\\\");      // at the end
    CHECK(sinks::escape_key("a\\,b") == "a\\\\\\,b");    // before an escaped comma
    CHECK(sinks::escape_key("a\\\\b") == "a\\\\\\b");    // before another backslash
    CHECK(sinks::escape_measurement("m\\ x") == "m\\\\\\ x");  // before an escaped space
}

TEST_CASE("string field values escape double quotes and backslashes, keep newlines") {
    CHECK(sinks::escape_string_field("say \"hi\"") == "say \\\"hi\\\"");
    CHECK(sinks::escape_string_field("c:\\") == "c:\\\\");
    CHECK(sinks::escape_string_field("line1\nline2") == "line1\nline2");
}

TEST_CASE("field values by type") {
    CHECK(sinks::format_field_value(base::FieldValue{25.0}) == "25");
    CHECK(sinks::format_field_value(base::FieldValue{24.5}) == "24.5");
    CHECK(sinks::format_field_value(base::FieldValue{0.1}) == "0.1");
    CHECK(sinks::format_field_value(base::FieldValue{1e20}) == "1e+20");
    CHECK(sinks::format_field_value(base::FieldValue{int64_t{800}}) == "800i");
    CHECK(sinks::format_field_value(base::FieldValue{std::numeric_limits<int64_t>::min()}) ==
          "-9223372036854775808i");
    CHECK(sinks::format_field_value(base::FieldValue{true}) == "true");
    CHECK(sinks::format_field_value(base::FieldValue{false}) == "false");
    CHECK(sinks::format_field_value(base::FieldValue{std::string("on \"x\"")}) ==
          "\"on \\\"x\\\"\"");
    CHECK_FALSE(sinks::format_field_value(base::FieldValue{std::nan("")}).has_value());
    CHECK_FALSE(sinks::format_field_value(base::FieldValue{std::numeric_limits<double>::infinity()})
                    .has_value());
    CHECK_FALSE(
        sinks::format_field_value(base::FieldValue{-std::numeric_limits<double>::infinity()})
            .has_value());
}

TEST_CASE("a hexaboard record as one line") {
    base::Record r{"hexaboard",
                   {{"board", "A"}},
                   {{"temperature", 25.0}, {"humidity", int64_t{60}}, {"light", int64_t{800}}},
                   1732500000000000000};
    std::string out;
    CHECK_FALSE(sinks::append_line(r, out).has_value());
    CHECK(out == "hexaboard,board=A temperature=25,humidity=60i,light=800i 1732500000000000000\n");
}

TEST_CASE("awkward tags stay on one line; empty tags are left out; NaN fields skipped") {
    base::Record r{"zigbee",
                   {{"name", "Kitchen\nDoor"}, {"room", ""}, {"who", "'; DROP TABLE zigbee; --"}},
                   {{"t", std::nan("")}, {"ok", true}, {"note", std::string("a\"b")}},
                   5};
    std::string out = "previous\n";
    CHECK_FALSE(sinks::append_line(r, out).has_value());
    CHECK(out ==
          "previous\nzigbee,name=Kitchen\\nDoor,who=';\\ DROP\\ TABLE\\ zigbee;\\ --"
          " ok=true,note=\"a\\\"b\" 5\n");
    CHECK(std::count(out.begin(), out.end(), '\n') == 2);
}

TEST_CASE("records line protocol cannot carry are refused with a reason, out untouched") {
    std::string out = "kept\n";
    auto refuse = [&](const base::Record& r) {
        auto why = sinks::append_line(r, out);
        CHECK(why.has_value());
        CHECK(out == "kept\n");
        return why.value_or("");
    };
    CHECK(refuse(base::Record{"m", {}, {{"v", std::nan("")}}, 1}).find("no field") !=
          std::string::npos);
    CHECK(refuse(base::Record{"m", {}, {}, 1}).find("no field") != std::string::npos);
    CHECK(refuse(base::Record{"", {}, {{"v", 1.0}}, 1}).find("empty measurement") !=
          std::string::npos);
    CHECK(refuse(base::Record{"#m", {}, {{"v", 1.0}}, 1}).find("comment") != std::string::npos);
    CHECK(refuse(base::Record{"m", {{"", "x"}}, {{"v", 1.0}}, 1}).find("empty tag key") !=
          std::string::npos);
    CHECK(refuse(base::Record{"m", {}, {{"", 1.0}}, 1}).find("empty field key") !=
          std::string::npos);
    CHECK(refuse(base::Record{"m", {}, {{"time", 1.0}}, 1}).find("`time`") != std::string::npos);
    CHECK(refuse(base::Record{"m", {{"time", "x"}}, {{"v", 1.0}}, 1}).find("`time`") !=
          std::string::npos);
}

TEST_SUITE_END();
