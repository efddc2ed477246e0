// Map files (`--map FILE`): TOML and JSON load to the same mapping; bad files give exact errors.
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "core/mapping/mapper.h"
#include "core/mapping/presets.h"
#include "mapping_test_support.h"

using namespace iotctl;
using namespace iotctl::testing;

namespace {

// The hexaboard example of iotctl-ingest-map(5), word for word.
const char* k_hexaboard_toml = R"(# hexaboard.toml: what --preset hexaboard does, plus the LED state
[[rule]]
filter = "hexaboard/+/status"
skip = true

[[rule]]
filter = "hexaboard/+/sensor/data"
measurement = "hexaboard"
tags.board = { path = "board", topic_level = 2 }
tags.site = "lab"
fields.temperature = "float"
fields.humidity = "float"
fields.light = { path = "light", type = "int" }
fields.led = { path = "state.led", type = "bool" }
time = { path = "timestamp", format = "auto" }
)";

const char* k_hexaboard_json = R"({"rule": [
  {"filter": "hexaboard/+/status", "skip": true},
  {"filter": "hexaboard/+/sensor/data", "measurement": "hexaboard",
   "tags": {"board": {"path": "board", "topic_level": 2}, "site": "lab"},
   "fields": {"temperature": "float", "humidity": "float",
              "light": {"path": "light", "type": "int"},
              "led": {"path": "state.led", "type": "bool"}},
   "time": {"path": "timestamp", "format": "auto"}}
]})";

// Writes `text` to a fresh file in a per-test temporary folder and returns its path.
std::string write_file(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() /
               ("iotctl-mapping-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// The error loading `text` as file `name` gives, with the file name removed from the front.
std::string load_error(const std::string& name, const std::string& text) {
    auto path = write_file(name, text);
    auto m = mapping::load_mapping_file(path);
    if (m) return "(loaded)";
    CHECK(m.error().code == base::ExitCode::usage);
    const std::string& msg = m.error().message;
    REQUIRE(msg.starts_with(path + ": "));
    return msg.substr(path.size() + 2);
}

void check_hexaboard_mapper(const mapping::Mapper& mapper) {
    CHECK(mapper.filters() == std::vector<std::string>{"hexaboard/+/sensor/data"});
    std::vector<base::Record> out;
    auto o = mapper.map(make_message("hexaboard/Q/sensor/data",
                                     R"({"temperature":"21.25","humidity":50,"light":"812",)"
                                     R"("state":{"led":"on"},"timestamp":"2026-11-20T10:00:00Z"})"),
                        out);
    CHECK(o.kind == mapping::MapOutcome::mapped);
    CHECK(o.reason == "");
    REQUIRE(out.size() == 1);
    CHECK(out[0].measurement == "hexaboard");
    CHECK(out[0].tags ==
          std::vector<std::pair<std::string, std::string>>{{"board", "Q"}, {"site", "lab"}});
    CHECK(out[0].fields ==
          std::vector<std::pair<std::string, base::FieldValue>>{
              {"humidity", 50.0}, {"led", true}, {"light", int64_t{812}}, {"temperature", 21.25}});
    CHECK(out[0].ts_ns == 1795168800LL * 1000000000LL);
    out.clear();
    o = mapper.map(make_message("hexaboard/Q/sensor/data", R"({"light":812.5})"), out);
    CHECK(o.kind == mapping::MapOutcome::dead);
    CHECK(o.reason ==
          "light: 812.5 is not a 64-bit integer; no field to store (looked for "
          "humidity, state.led, light, temperature)");
    out.clear();
    o = mapper.map(make_message("hexaboard/Q/status", "online"), out);
    CHECK(o.kind == mapping::MapOutcome::skipped);
    CHECK(o.reason == "skipped by rule hexaboard/+/status");
}

}  // namespace

TEST_CASE("mapping file: the TOML example loads and maps") {
    auto m = mapping::load_mapping_file(write_file("hexaboard.toml", k_hexaboard_toml));
    REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error().message));
    check_hexaboard_mapper(**m);
}

TEST_CASE("mapping file: the same mapping in JSON maps the same") {
    auto m = mapping::load_mapping_file(write_file("hexaboard.json", k_hexaboard_json));
    REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error().message));
    check_hexaboard_mapper(**m);
    // Without a telling extension the first character decides.
    auto plain = mapping::load_mapping_file(write_file("hexaboard.map", k_hexaboard_json));
    REQUIRE_MESSAGE(plain.ok(), (plain.ok() ? "" : plain.error().message));
    check_hexaboard_mapper(**plain);
}

TEST_CASE("mapping file: text payloads, each, when and string fields") {
    auto m = mapping::load_mapping_file(write_file("multi.toml", R"(
[[rule]]
filter = "site/+/door"
payload = "text"
measurement = "door"
tags.door = "{2}"
fields.open = { path = "$", type = "bool" }
fields.raw = { path = "$", type = "string" }

[[rule]]
filter = "site/+/batch"
when = "readings"
measurement = "{1}_{3}"
each = "readings"
tags.sensor = { key = true }
tags.site = { topic_level = 2 }
fields.v = { path = "v", type = "float" }
time = { path = "$.at", format = "ms" }
)"));
    REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error().message));
    std::vector<base::Record> out;
    CHECK((*m)->map(make_message("site/north/door", "ON"), out).kind ==
          mapping::MapOutcome::mapped);
    REQUIRE(out.size() == 1);
    CHECK(out[0].fields == std::vector<std::pair<std::string, base::FieldValue>>{
                               {"open", true}, {"raw", std::string("ON")}});
    out.clear();
    auto o = (*m)->map(
        make_message("site/north/batch",
                     R"({"at":1732500000500,"readings":{"t1":{"v":1.5},"t2":{"v":"x"}}})"),
        out);
    CHECK(o.kind == mapping::MapOutcome::mapped);
    CHECK(o.reason == "t2: v: \"x\" is not a number; t2: no field to store (looked for v)");
    REQUIRE(out.size() == 1);
    CHECK(out[0].measurement == "site_batch");
    CHECK(out[0].tags ==
          std::vector<std::pair<std::string, std::string>>{{"sensor", "t1"}, {"site", "north"}});
    CHECK(out[0].ts_ns == 1732500000500LL * 1000000);
    out.clear();
    o = (*m)->map(make_message("site/north/batch", R"({"other":1})"), out);
    CHECK(o.kind == mapping::MapOutcome::skipped);
    CHECK(o.reason == "no mapping rule for this topic");
}

TEST_CASE("mapping file: bad files give exact errors naming the file and the key") {
    CHECK(load_error("types.toml",
                     "[[rule]]\nfilter = \"a/+\"\nmeasurement = \"m\"\n"
                     "fields.temperature = \"flaot\"\n") ==
          "rule[0].fields.temperature: unknown type \"flaot\" (expected float, int, bool or "
          "string)");
    CHECK(
        load_error(
            "types.json",
            R"({"rule":[{"filter":"a/+","measurement":"m","fields":{"t":{"type":"double"}}}]})") ==
        "rule[0].fields.t.type: unknown type \"double\" (expected float, int, bool or string)");
    CHECK(load_error("typo.toml",
                     "[[rule]]\nfilter = \"a\"\nmeasurement = \"m\"\nfileds.t = \"float\"\n") ==
          "rule[0].fileds: unknown key (expected one of: filter, skip, when, payload, "
          "measurement, each, each_with, tags, fields, auto_fields, auto_tags, count_field, time, "
          "timezone)");
    CHECK(load_error("top.json", R"({"rules":[]})") ==
          "rules: unknown key (expected one of: rule)");
    CHECK(load_error("empty.toml", "") == "rule: missing (no rules given)");
    CHECK(
        load_error("filter.toml",
                   "[[rule]]\nfilter = \"a/#/b\"\nmeasurement = \"m\"\nauto_fields = true\n") ==
        "rule[0].filter: invalid topic filter 'a/#/b': '#' must be a whole level and the last one");
    CHECK(load_error("nofilter.toml", "[[rule]]\nmeasurement = \"m\"\n") ==
          "rule[0]: needs a filter");
    CHECK(load_error("second.toml",
                     "[[rule]]\nfilter = \"a\"\nskip = true\n[[rule]]\nfilter = "
                     "\"b\"\nauto_fields = true\n") ==
          "rule[1]: needs a measurement (or skip = true)");
    CHECK(load_error("nofields.toml", "[[rule]]\nfilter = \"a\"\nmeasurement = \"m\"\n") ==
          "rule[0]: maps no fields (give fields, auto_fields or count_field)");
    CHECK(load_error(
              "name.json",
              R"({"rule":[{"filter":"a","measurement":"m","fields":{"temp erature":"float"}}]})") ==
          "rule[0].fields.temp erature: not a valid name (letters, digits and _; not starting "
          "with a digit or _; not \"time\"; at most 64 bytes)");
    CHECK(load_error("placeholder.toml",
                     "[[rule]]\nfilter = \"a/+\"\nmeasurement = \"m_{x}\"\nauto_fields = true\n") ==
          "rule[0].measurement: unknown placeholder {x} (expected {topic} or a topic level {1}, "
          "{2}, ...)");
    CHECK(load_error("time.toml",
                     "[[rule]]\nfilter = \"a\"\nmeasurement = \"m\"\nauto_fields = "
                     "true\ntime = { path = \"t\", format = \"minutes\" }\n") ==
          "rule[0].time.format: unknown format \"minutes\" (expected auto, s, ms, us, ns or "
          "iso8601)");
    CHECK(load_error("key.toml",
                     "[[rule]]\nfilter = \"a\"\nmeasurement = \"m\"\nauto_fields = "
                     "true\ntags.k = { key = true }\n") ==
          "rule[0].tags.k.key: only allowed with each");
    CHECK(load_error("clash.toml",
                     "[[rule]]\nfilter = \"a\"\nmeasurement = \"m\"\ntags.Board = "
                     "\"x\"\nfields.board = \"float\"\n") ==
          "rule[0].fields.board: name already used by a tag");
    CHECK(load_error("allskip.toml", "[[rule]]\nfilter = \"a\"\nskip = true\n") ==
          "rule: every rule skips; nothing would be stored");
    CHECK(load_error("date.toml",
                     "[[rule]]\nfilter = \"a\"\nmeasurement = \"m\"\nauto_fields = "
                     "true\nsince = 2026-01-01\n") ==
          "rule[0].since: dates and times are not supported here");
    CHECK(load_error("broken.json", R"({"rule": [)") ==
          "invalid JSON at byte 11: syntax error while parsing value - unexpected end of input; "
          "expected '[', '{', or a literal");
    CHECK(load_error("broken.toml", "[[rule]]\nfilter = \"a\nmeasurement = \"m\"\n") ==
          "line 2, column 12: Error while parsing string: unescaped control characters other "
          "than TAB (U+0009) are explicitly prohibited");
}

TEST_CASE("mapping file: a missing file names the file") {
    auto m = mapping::load_mapping_file("/nonexistent/iotctl-map.toml");
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().message ==
          "/nonexistent/iotctl-map.toml: cannot read: No such file or directory");
}

TEST_CASE("mapping file: iotctl-ingest-map(5) shows the presets and the example as they are") {
    std::ifstream in(std::string(IOTCTL_SOURCE_DIR) + "/man/iotctl-ingest-map.5");
    REQUIRE(in);
    std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto name : mapping::preset_names()) {
        CAPTURE(name);
        std::string text(mapping::preset_mapping_text(name));
        CHECK(page.find(".EX\n" + text.substr(1) + ".EE\n") != std::string::npos);
    }
    CHECK(page.find(".EX\n" + std::string(k_hexaboard_toml) + ".EE\n") != std::string::npos);
    CHECK(page.find(".EX\n" + std::string(k_hexaboard_json) + "\n.EE\n") != std::string::npos);

    // The record the page promises for its example message.
    auto m = mapping::load_mapping_file(write_file("example.toml", k_hexaboard_toml));
    REQUIRE(m.ok());
    std::vector<base::Record> out;
    (*m)->map(make_message("hexaboard/A/sensor/data",
                           R"({"board":"A","temperature":"25.5","humidity":60,"light":800,)"
                           R"("state":{"led":"on"},"timestamp":1732500000})"),
              out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].tags ==
          std::vector<std::pair<std::string, std::string>>{{"board", "A"}, {"site", "lab"}});
    CHECK(out[0].fields ==
          std::vector<std::pair<std::string, base::FieldValue>>{
              {"humidity", 60.0}, {"led", true}, {"light", int64_t{800}}, {"temperature", 25.5}});
    CHECK(out[0].ts_ns == 1732500000000000000);
}
