// Output formats: every -F specifier, widths and precision, escapes, @strftime, --json lines.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "core/base/message_json.h"
#include "core/base/timestamps.h"
#include "core/capture/output_format.h"

using namespace iotctl;

namespace {
// 2026-11-20T10:00:00.123456789Z
constexpr int64_t k_ts = 1795168800LL * 1000000000LL + 123456789;

base::Message sample() {
    base::Message m;
    m.topic = "hexaboard/A/sensor/data";
    m.payload = R"({"board":"A","temperature":25})";
    m.qos = 1;
    m.retain = true;
    m.ts_ns = k_ts;
    m.mid = 7;
    return m;
}

std::string render(const std::string& spec, const base::Message& m = sample()) {
    auto f = capture::OutputFormat::parse(spec);
    REQUIRE_MESSAGE(f.ok(), spec);
    f->set_newline(false);
    std::string out;
    f->render(m, out);
    return out;
}

struct UtcZone {
    UtcZone() {
        setenv("TZ", "UTC", 1);
        tzset();
    }
};
}  // namespace

TEST_CASE("iso8601 helpers") {
    CHECK(base::iso8601_utc(k_ts, 0) == "2026-11-20T10:00:00Z");
    CHECK(base::iso8601_utc(k_ts, 3) == "2026-11-20T10:00:00.123Z");
    CHECK(base::iso8601_utc(k_ts, 6) == "2026-11-20T10:00:00.123456Z");
    CHECK(base::iso8601_utc(k_ts, 9) == "2026-11-20T10:00:00.123456789Z");
    CHECK(*base::parse_iso8601("2026-11-20T10:00:00.123456789Z") == k_ts);
    CHECK(*base::parse_iso8601("2026-11-20T11:00:00.123456789+01:00") == k_ts);
    CHECK(*base::parse_iso8601("2026-11-20T10:00:00") == k_ts - 123456789);
    CHECK(*base::parse_iso8601("2026-11-20") == 1795132800LL * 1000000000LL);
    CHECK(base::parse_iso8601("yesterday").error().message == "invalid time 'yesterday'");
    CHECK_FALSE(base::parse_iso8601("2026-11-20T10:00:00Zjunk").ok());
}

TEST_CASE("every specifier") {
    UtcZone utc;
    base::Message m = sample();
    CHECK(render("%t") == m.topic);
    CHECK(render("%p") == m.payload);
    CHECK(render("%q") == "1");
    CHECK(render("%r") == "1");
    CHECK(render("%l") == std::to_string(m.payload.size()));
    CHECK(render("%m") == "7");
    CHECK(render("%I") == "2026-11-20T10:00:00+0000");
    CHECK(render("%U") == "1795168800.123456789");
    CHECK(render("%.8x") == "7b22626f");
    CHECK(render("%.3t") == m.topic.substr(0, 3));  // used to print the whole topic
    CHECK(render("%.8X") == "7B22626F");
    CHECK(render("%%") == "%");
    CHECK(render("%A%C%D%E%F%S") == "");  // absent properties print nothing
    base::Message props = m;
    props.topic_alias = "3";
    props.correlation_data = "req-42";
    props.message_expiry = "60";
    props.payload_format = "1";
    props.subscription_id = "9";
    CHECK(render("%A|%D|%E|%F|%S", props) == "3|req-42|60|1|9");
    CHECK(render("%04E|%-4A|%3F", props) == "0060|3   |  1");
    m.content_type = "application/json";
    m.response_topic = "reply/here";
    m.user_properties = {{"site", "lab 1"}, {"k", "v"}};
    CHECK(render("%C|%R|%P", m) == "application/json|reply/here|site:lab 1 k:v");
}

TEST_CASE("%j and %J are mosquitto's JSON objects") {
    UtcZone utc;
    CHECK(
        render("%j") ==
        R"({"mid":7,"payload":"{\"board\":\"A\",\"temperature\":25}","payloadlen":30,"qos":1,"retain":1,)"
        R"("topic":"hexaboard/A/sensor/data","tst":"2026-11-20T10:00:00+0000"})");
    CHECK(render("%J") ==
          R"({"mid":7,"payload":{"board":"A","temperature":25},"payloadlen":30,"qos":1,"retain":1,)"
          R"("topic":"hexaboard/A/sensor/data","tst":"2026-11-20T10:00:00+0000"})");
    base::Message bin = sample();
    bin.payload = "\xff\x01";
    CHECK(render("%J", bin).find(R"("payload":"")") != std::string::npos);
}

TEST_CASE("widths, alignment, zero padding, precision") {
    base::Message m = sample();
    m.payload = "abcdef";
    m.topic = "t";
    CHECK(render("[%5t]", m) == "[    t]");
    CHECK(render("[%-5t]", m) == "[t    ]");
    CHECK(render("[%05l]", m) == "[00006]");
    CHECK(render("[%.3p]", m) == "[abc]");
    CHECK(render("[%8.3p]", m) == "[     abc]");
    CHECK(render("[%-8.3p|]", m) == "[abc     |]");
    CHECK(render("[%2p]", m) == "[abcdef]");  // a width never truncates
    CHECK(render("[%.1q]", m) == "[1]");      // precision does not cut numbers
}

TEST_CASE("escapes and strftime") {
    UtcZone utc;
    CHECK(render("a\\tb\\nc\\\\d\\re\\ab\\ef\\vg") == "a\tb\nc\\d\re\ab\033f\vg");
    CHECK(render("x\\0y") == std::string("x\0y", 3));
    CHECK(render("@Y-@m-@d @H:@M:@S @@") == "2026-11-20 10:00:00 @");
    CHECK(render("@s") == "1795168800");
    CHECK(render("@S.@N") == "00.123456789");  // mosquitto's @N: nanoseconds in the second
}

TEST_CASE("bad formats are refused with the position") {
    CHECK(capture::OutputFormat::parse("%z").error().message ==
          "invalid format '%z': unknown specifier '%z' at position 0");
    CHECK(capture::OutputFormat::parse("ab %").error().message ==
          "invalid format 'ab %': incomplete specifier at position 3");
    CHECK(capture::OutputFormat::parse("x\\q").error().message ==
          "invalid format 'x\\q': unknown escape '\\q' at position 2");
    CHECK(capture::OutputFormat::parse("x\\").error().message ==
          "invalid format 'x\\': lone '\\' at the end");
    CHECK(capture::OutputFormat::parse("@").error().message ==
          "invalid format '@': lone '@' at the end");
    CHECK(capture::OutputFormat::parse("%-05.2z").error().code == base::ExitCode::usage);
    CHECK(capture::OutputFormat::parse("t @Q").error().message ==
          "invalid format 't @Q': unknown time conversion '@Q' at position 2");
}

TEST_CASE("plain, verbose and newline") {
    base::Message m = sample();
    std::string out;
    capture::OutputFormat::plain(false).render(m, out);
    CHECK(out == m.payload + "\n");
    out.clear();
    capture::OutputFormat::plain(true).render(m, out);
    CHECK(out == m.topic + " " + m.payload + "\n");
    out.clear();
    auto f = capture::OutputFormat::plain(false);
    f.set_newline(false);
    f.render(m, out);
    CHECK(out == m.payload);
}

TEST_CASE("--json lines: parsed JSON, strings, base64, round trip") {
    base::Message m = sample();
    auto j = base::message_to_json(m);
    CHECK(j["ts"] == "2026-11-20T10:00:00.123456Z");
    CHECK(j["payload"]["temperature"] == 25);
    CHECK(j["retain"] == true);
    CHECK_FALSE(j.contains("payload_encoding"));
    m.payload = "online";
    CHECK(base::message_to_json(m)["payload"] == "online");
    m.payload = std::string("\xff\x00\x01", 3);
    j = base::message_to_json(m);
    CHECK(j["payload"] == "/wAB");
    CHECK(j["payload_encoding"] == "base64");
    auto back = base::message_from_json(j);
    REQUIRE(back.ok());
    CHECK(back->payload == m.payload);
    CHECK(back->topic == m.topic);
    CHECK(back->qos == 1);
    CHECK(back->retain);
    CHECK(back->ts_ns == k_ts - 789);  // microseconds kept

    std::string line;
    capture::OutputFormat::json_lines().render(sample(), line);
    CHECK(line.back() == '\n');
    CHECK(nlohmann::json::parse(line)["topic"] == "hexaboard/A/sensor/data");

    m.payload = "x";
    m.user_properties = {{"a", "b"}};
    auto with_props = base::message_from_json(base::message_to_json(m));
    REQUIRE(with_props.ok());
    CHECK(with_props->user_properties == m.user_properties);
}

TEST_CASE("message_from_json: JSON payloads become compact text; bad keys are named") {
    auto m =
        base::message_from_json(nlohmann::json::parse(R"({"topic":"a","payload":{"x":[1,2]}})"));
    REQUIRE(m.ok());
    CHECK(m->payload == R"({"x":[1,2]})");
    CHECK(m->qos == 0);
    CHECK(
        base::message_from_json(nlohmann::json::parse(R"({"topic":"a","payload":42})"))->payload ==
        "42");
    CHECK(base::message_from_json(nlohmann::json::parse(R"({"topic":"a"})"))->payload == "");
    CHECK(base::message_from_json(nlohmann::json::parse(R"({"payload":"x"})")).error().message ==
          "missing string \"topic\"");
    CHECK(base::message_from_json(nlohmann::json::parse(R"({"topic":"a","qos":3})"))
              .error()
              .message == "\"qos\" must be 0, 1 or 2");
    CHECK(base::message_from_json(nlohmann::json::parse(R"({"topic":"a","retain":"yes"})"))
              .error()
              .message == "\"retain\" must be true or false");
    CHECK(base::message_from_json(
              nlohmann::json::parse(R"({"topic":"a","payload":"!!","payload_encoding":"base64"})"))
              .error()
              .message == "\"payload\" is not valid base64");
    CHECK(base::message_from_json(nlohmann::json::parse("[1]")).error().message ==
          "expected a JSON object");
}
