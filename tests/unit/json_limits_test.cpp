// Hostile and large JSON payloads: the one depth limit and --max-json-bytes (core/base/payload.h)
// on every path that decodes JSON, and `sub --json` lines that keep the payload's own text.
#include <doctest/doctest.h>

#include <string>

#include "core/base/json_fields.h"
#include "core/base/json_leaves.h"
#include "core/base/json_text.h"
#include "core/base/message_json.h"
#include "core/base/payload.h"
#include "core/capture/csv_table.h"
#include "core/capture/output_format.h"
#include "core/ingest/dead_letter.h"
#include "core/mapping/mapper.h"

using namespace iotctl;
using namespace std::string_literals;

namespace {

std::string nested(size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

base::Message message(std::string topic, std::string payload) {
    base::Message m;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    m.ts_ns = 1795168800123456000;
    return m;
}

std::string json_line(const base::Message& m) {
    std::string line;
    capture::OutputFormat::json_lines().render(m, line);
    return line;
}

// Restores the default --max-json-bytes when a test changed it.
struct MaxJsonBytes {
    explicit MaxJsonBytes(size_t bytes) { base::set_max_json_bytes(bytes); }
    ~MaxJsonBytes() { base::set_max_json_bytes(base::k_default_max_json_bytes); }
};

}  // namespace

TEST_CASE("nesting depth is counted outside strings and the scan stops past the limit") {
    CHECK(base::json_nesting_depth("", 10) == 0);
    CHECK(base::json_nesting_depth(R"({"a":[1,{"b":[]}]})", 10) == 4);
    CHECK(base::json_nesting_depth(R"({"a":"[[[[[[\"[[["})", 3) == 1);
    CHECK(base::json_nesting_depth(nested(100000), 512) == 513);
    CHECK(base::json_nesting_depth("]]]][[", 10) == 2);  // any bytes: never below zero
}

TEST_CASE("a payload nested 100,000 deep is not decoded as JSON anywhere, and nothing crashes") {
    const std::string deep = nested(100000);
    const std::string why = "nested deeper than 512 levels";
    std::string limit;
    CHECK_FALSE(base::parse_json_payload(deep, &limit));
    CHECK(limit == why);
    limit.clear();
    CHECK_FALSE(base::is_json_payload(deep, &limit));
    CHECK(limit == why);
    std::vector<base::JsonLeaf> leaves;
    limit.clear();
    CHECK_FALSE(base::json_object_leaves("{\"a\":" + deep + "}", leaves, &limit));
    CHECK(limit == why);
    CHECK(base::parse_json_strict(deep).error().message == "invalid JSON: " + why);

    // sub --json (and replay --dry-run): the payload as a string, with a note saying why.
    std::string line = json_line(message("deep/x", deep));
    auto obj = base::parse_json_strict(std::string_view(line).substr(0, line.size() - 1));
    REQUIRE(obj.ok());
    CHECK((*obj)["payload"] == deep);
    CHECK((*obj)["payload_note"] == "not decoded as JSON: " + why);
    // mosquitto's %J: the payload as a string too.
    std::string j;
    capture::OutputFormat::parse("%J").take().render(message("deep/x", deep), j);
    CHECK(j.find("\"payload\":\"[[[") != std::string::npos);

    // A `sub --json` line that embeds such a payload reads back as its bytes.
    auto back = base::message_from_json_line(R"({"topic":"deep/x","payload":)" + deep + "}");
    REQUIRE(back.ok());
    CHECK(back->payload == deep);

    // ingest: a dead letter with the reason.
    auto mapper = mapping::make_preset_mapper("generic").take();
    std::vector<base::Record> records;
    auto outcome = mapper->map(message("deep/x", deep), records);
    CHECK(outcome.kind == mapping::MapOutcome::dead);
    CHECK(outcome.reason == "payload not decoded as JSON: " + why);
    auto tasmota = mapping::make_preset_mapper("tasmota").take();
    outcome = tasmota->map(message("tele/gw/SENSOR", "{\"ZbReceived\":" + deep + "}"), records);
    CHECK(outcome.kind == mapping::MapOutcome::dead);
    CHECK(outcome.reason == "payload not decoded as JSON: " + why);
    CHECK(records.empty());

    // csv-export: the payload column, counted with the reason.
    capture::CsvTable table(std::vector<std::string>{}, capture::TimeFormat::unix_s, true);
    table.set_discovering(true);
    std::string csv;
    CHECK(table.rows(message("deep/x", deep), csv) == 1);
    CHECK(csv == "1795168800,deep/x," + deep + "\r\n");
    CHECK(table.undecoded() == 1);
    CHECK(table.first_undecoded() == "topic deep/x: " + why);
    capture::CsvTable fields(base::parse_field_list("a").take(), capture::TimeFormat::unix_s, true);
    CHECK(fields.rows(message("deep/x", "{\"a\":" + deep + "}"), csv) == 0);
    CHECK(fields.undecoded() == 1);
}

TEST_CASE("payloads over --max-json-bytes are carried as bytes, with the reason") {
    MaxJsonBytes limit_of(16);
    const std::string big = R"({"temperature":21.5,"humidity":40})";  // 34 bytes
    const std::string why = "larger than --max-json-bytes (34 > 16 bytes)";
    std::string limit;
    CHECK_FALSE(base::parse_json_payload(big, &limit));
    CHECK(limit == why);
    CHECK(base::parse_json_payload(R"({"t":1})"));  // small ones still are JSON

    std::string line = json_line(message("big/x", big));
    CHECK(line == R"({"ts":"2026-11-20T10:00:00.123456Z","topic":"big/x","qos":0,"retain":false,)"
                  R"("payload":"{\"temperature\":21.5,\"humidity\":40}",)"
                  R"("payload_note":"not decoded as JSON: )" +
                      why + "\"}\n");
    auto back = base::message_from_json_line(std::string_view(line).substr(0, line.size() - 1));
    REQUIRE(back.ok());
    CHECK(back->payload == big);

    auto mapper = mapping::make_preset_mapper("hexaboard").take();
    std::vector<base::Record> records;
    auto outcome = mapper->map(message("hexaboard/A/sensor/data", big), records);
    CHECK(outcome.kind == mapping::MapOutcome::dead);
    CHECK(outcome.reason == "payload not decoded as JSON: " + why);

    capture::CsvTable table(std::vector<std::string>{}, capture::TimeFormat::unix_s, false);
    table.set_discovering(true);
    std::string csv;
    table.rows(message("big/x", big), csv);
    CHECK(csv == "1795168800,\"{\"\"temperature\"\":21.5,\"\"humidity\"\":40}\"\r\n");
    CHECK(table.undecoded() == 1);
}

TEST_CASE("sub --json keeps the payload's own text: digits, key order, escapes") {
    for (const char* payload : {
             R"({"n":123456789012345678901234567890,"f":1.10,"e":1E+2,"neg":-0})",
             R"({"z":1,"a":2,"m":{"y":[1,2,{"x":null}],"b":true}})",
             R"({"s":"\u00e9\ud83d\ude00 \"q\" \\ \/","raw":"é😀"})",
             R"([1.10,2.000,"x"])",
             "123456789012345678901234567890",
             "1.10",
             "null",
             R"({ "spaced" : [ 1 , 2 ] })",
         }) {
        CAPTURE(payload);
        std::string line = json_line(message("rt/x", payload));
        // Embedded as it is: the line holds the payload's bytes verbatim.
        CHECK(line.find(std::string("\"payload\":") + payload + "}\n") != std::string::npos);
        auto back = base::message_from_json_line(std::string_view(line).substr(0, line.size() - 1));
        REQUIRE(back.ok());
        CHECK(back->payload == payload);
    }
}

TEST_CASE("sub --json gives as strings what cannot stand in the line as it is, and reads it back") {
    for (const std::string& payload :
         {std::string(R"("a JSON string")"), std::string("{\"a\": 1}\n"),
          std::string("{\n  \"a\": 1\n}"), std::string(" {\"a\":1}"), std::string("online"),
          std::string(""), std::string("\xff\x00\x01", 3), std::string("{\"a\":\x01}"),
          std::string("\xef\xbb\xbf{\"bom\":1}"), "tab\there\r\nnul\0end"s}) {
        CAPTURE(payload);
        std::string line = json_line(message("rt/x", payload));
        CHECK(line.find('\n') == line.size() - 1);
        CHECK(base::is_valid_json(std::string_view(line).substr(0, line.size() - 1)));
        auto back = base::message_from_json_line(std::string_view(line).substr(0, line.size() - 1));
        REQUIRE(back.ok());
        CHECK(back->payload == payload);
    }
    CHECK(json_line(message("a", R"("s")")).find(R"("payload":"\"s\"")") != std::string::npos);
    CHECK(json_line(message("a", "\xff")).find(R"("payload":"/w==","payload_encoding":"base64")") !=
          std::string::npos);
}

TEST_CASE("JSON lines written by hand: payload text as written, other keys as before") {
    auto m = base::message_from_json_line(
        R"({"payload" : {"led": "on"} ,"topic":"hexaboard/A/control","qos":1,"retain":true})");
    REQUIRE(m.ok());
    CHECK(m->payload == R"({"led": "on"})");
    CHECK(m->qos == 1);
    CHECK(m->retain);
    CHECK(base::message_from_json_line(R"({"topic":"a","payload":"line\nbreak"})")->payload ==
          "line\nbreak");
    CHECK(base::message_from_json_line(
              R"({"topic":"a","payload":"/w==","payload_encoding":"base64"})")
              ->payload == "\xff");
    CHECK(base::message_from_json_line(R"({"topic":"a","payload":1,"payload":2})")->payload == "2");
    CHECK(base::message_from_json_line(R"({"topic":"a"})")->payload.empty());
    CHECK(base::message_from_json_line(R"({"topic":"a","payload":null})")->payload == "null");
    CHECK(base::message_from_json_line(R"({"payload":{}})").error().message ==
          "missing string \"topic\"");
    CHECK(base::message_from_json_line(R"({"topic":"a","payload":"!","payload_encoding":"base64"})")
              .error()
              .message == "\"payload\" is not valid base64");
    CHECK(base::message_from_json_line(R"({"topic":"a",)")
              .error()
              .message.starts_with("invalid JSON at byte"));
    CHECK(
        base::message_from_json_line(R"({"topic":"a","x":)" + nested(1000) + "}").error().message ==
        "invalid JSON: nested deeper than 512 levels");
}

TEST_CASE("append_json_string writes what nlohmann's dump writes") {
    std::string all;
    for (int c = 0; c < 128; ++c) all += static_cast<char>(c);
    for (const std::string& text :
         {all, std::string("été € 😀"), std::string(""), std::string("\x7f\\\"/")}) {
        std::string out;
        base::append_json_string(out, text);
        CHECK(out == base::dump_json(nlohmann::json(text)));
        CHECK(out.size() == base::json_string_size(text));
    }
    std::string bad;
    base::append_json_string(bad, "a\xff");
    CHECK(bad == "\"a\xef\xbf\xbd\"");  // replaced, as dump_json does
}

TEST_CASE("JSON text reader: members, values and cells as written") {
    std::string text = R"( { "a" : 1.10 , "b":{"c":[1, "x]"]}, "d\u0041":"v\n", "a":2 } )";
    auto members = base::json_members(text);
    REQUIRE(members.size() == 4);
    CHECK(members[0].key == "\"a\"");
    CHECK(members[0].value == "1.10");
    CHECK(members[1].value == R"({"c":[1, "x]"]})");
    CHECK(base::json_string_value(members[2].key) == "dA");
    CHECK(*base::json_member(text, "a") == "2");  // the last one, as a document keeps it
    CHECK(*base::json_member(text, "dA") == R"("v\n")");
    CHECK_FALSE(base::json_member(text, "x"));
    CHECK_FALSE(base::json_member("[1]", "0"));
    CHECK(base::json_cell_text(*base::json_member(text, "b")) == R"({"c":[1,"x]"]})");
    CHECK(base::json_cell_text(R"("v\n")") == "v\n");
    CHECK(base::json_cell_text("null").empty());
    CHECK(base::json_cell_text("123456789012345678901234567890") ==
          "123456789012345678901234567890");
    auto rows = base::extract_field_rows(
        R"({"t":1.10,"Zb":{"0x2":{"T":21.50},"0x1":{"T":1E2},"0x2":{"T":22.50}}})",
        base::parse_field_list("Zb.*,Zb.*.T,t").take());
    REQUIRE(rows.size() == 2);
    CHECK(*rows[0][0] == "0x1");
    CHECK(*rows[0][1] == "1E2");
    CHECK(*rows[1][1] == "22.50");  // a repeated key keeps its last value
    CHECK(*rows[1][2] == "1.10");
}

TEST_CASE("dead letters hold the payload once, as text or base64, with the reason") {
    auto line = ingest::dead_letter_line(message("a/b", "{\"t\":\n"), "payload is not valid JSON");
    CHECK(line == R"({"ts":"2026-11-20T10:00:00.123456Z","topic":"a/b","payload":"{\"t\":\n",)"
                  R"("reason":"payload is not valid JSON"})"
                  "\n");
    line = ingest::dead_letter_line(message("a/b", "\xff"), "why");
    CHECK(line.find(R"("payload":"/w==","payload_encoding":"base64","reason":"why"})") !=
          std::string::npos);
}

TEST_CASE("a payload holding a NUL byte is not JSON (nlohmann would stop reading at it)") {
    using namespace iotctl;
    const std::string payload("5\0\0\0\0\0\x1f]", 8);
    CHECK_FALSE(base::is_json_payload(payload));
    CHECK_FALSE(base::parse_json_payload(payload).has_value());
    CHECK_FALSE(base::is_valid_json(payload));
    CHECK(base::parse_json_strict(payload).error().message == "invalid JSON at byte 2: a NUL byte");
    base::Message m;
    m.topic = "t";
    m.payload = payload;
    std::string line;
    capture::OutputFormat::json_lines().render(m, line);
    REQUIRE(!line.empty());
    CHECK(base::is_valid_json(std::string_view(line).substr(0, line.size() - 1)));
}

TEST_CASE("a huge message rendered in pieces is the same text as rendered whole") {
    std::string text;  // quotes, control bytes and 3-byte characters across the 192 KiB slices
    while (text.size() < 700000) text += "é\"€\n\\x\x01 ";
    std::string json = "{\"a\":[" + std::string(300000, '1') + "]}";
    std::string binary(500000, '\xff');
    for (const std::string* payload : {&text, &json, &binary}) {
        for (auto format : {capture::OutputFormat::json_lines(), capture::OutputFormat::plain(true),
                            capture::OutputFormat::parse("[%t] %p|%l").take()}) {
            base::Message m = message("big/x", *payload);
            std::string whole, pieces;
            size_t largest = 0;
            format.render(m, whole);
            format.render_pieces(m, [&](std::string_view piece) {
                pieces += piece;
                largest = std::max(largest, piece.size());
            });
            CHECK(pieces == whole);
            CHECK(largest <= 6 * (192 << 10));  // a slice, escaped (at most 6 bytes a byte)
        }
    }
}
