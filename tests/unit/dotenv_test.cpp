// .env parsing as the dotenv conventions read it: one case per form.
#include <doctest/doctest.h>

#include "core/broker/dotenv.h"

using namespace iotctl;

namespace {
std::string one(const std::string& text, const std::string& key = "K") {
    auto vars = broker::parse_dotenv(text, "t.env");
    REQUIRE_MESSAGE(vars.ok(), (vars.ok() ? "" : vars.error().message));
    REQUIRE(vars->count(key) == 1);
    return vars->at(key);
}
std::string error_of(const std::string& text) {
    auto vars = broker::parse_dotenv(text, "t.env");
    REQUIRE(!vars.ok());
    CHECK(vars.error().code == base::ExitCode::usage);
    return vars.error().message;
}
}  // namespace

TEST_CASE("dotenv: unquoted values") {
    CHECK(one("K=broker.lan\n") == "broker.lan");
    CHECK(one("K=broker.lan") == "broker.lan");  // no final newline
    CHECK(one("K=  spaced value  \n") == "spaced value");
    CHECK(one("K=\n") == "");
    CHECK(one("K=a=b\n") == "a=b");
    CHECK(one("K = 1884\n") == "1884");
    CHECK(one("K=1884\r\n") == "1884");
}

TEST_CASE("dotenv: comments") {
    CHECK(one("# full line\nK=v\n  # indented comment\n") == "v");
    CHECK(one("K=30 # trailing comment\n") == "30");
    CHECK(one("K=30\t# after a tab\n") == "30");
    CHECK(one("K=a#b\n") == "a#b");  // no blank before '#': part of the value
    CHECK(one("K=#\n") == "");       // a value that starts with '#' is a comment
}

TEST_CASE("dotenv: export prefix") {
    CHECK(one("export K=alice\n") == "alice");
    CHECK(one("export   K = alice\n") == "alice");
    CHECK(one("exported=1\n", "exported") == "1");  // a key that starts with "export"
}

TEST_CASE("dotenv: double quotes") {
    CHECK(one("K=\"alice smith\"\n") == "alice smith");
    CHECK(one("K=\"127.0.0.1\" # local broker\n") == "127.0.0.1");
    CHECK(one("K=\"s3cret # not a comment\"\n") == "s3cret # not a comment");
    CHECK(one("K=\"\"\n") == "");
    CHECK(one("K=\"a\\nb\"\n") == "a\nb");
    CHECK(one("K=\"say \\\"hi\\\"\"\n") == "say \"hi\"");
    CHECK(one("K=\"back\\\\slash\"\n") == "back\\slash");
    CHECK(one("K=\"tab\\tr\\r\"\n") == "tab\tr\r");
    CHECK(one("K=\"keep \\q\"\n") == "keep \\q");  // unknown escapes stay as written
    CHECK(one("K=\"line one\nline two\"\nL=x\n") == "line one\nline two");
    CHECK(one("K=\"line one\nline two\"\nL=x\n", "L") == "x");
}

TEST_CASE("dotenv: single quotes are literal") {
    CHECK(one("K='p#ss word'\n") == "p#ss word");
    CHECK(one("K='a\\nb'\n") == "a\\nb");
    CHECK(one("K='x' # comment\n") == "x");
    CHECK(one("K='say \"hi\"'\n") == "say \"hi\"");
}

TEST_CASE("dotenv: errors name the file and line") {
    CHECK(error_of("A=1\nnot a pair\n") == "env file 't.env' line 2: expected KEY=VALUE");
    CHECK(error_of("A=1\n=x\n") == "env file 't.env' line 2: expected KEY=VALUE");
    CHECK(error_of("A=1\nK=\"open\n") == "env file 't.env' line 2: unterminated double quote");
    CHECK(error_of("K='open\n") == "env file 't.env' line 1: unterminated single quote");
    CHECK(error_of("\nK=\"a\" b\n") ==
          "env file 't.env' line 2: unexpected text after the closing double quote");
    CHECK(error_of("K=\"a\nb\"\nbad\n") == "env file 't.env' line 3: expected KEY=VALUE");
}

TEST_CASE("dotenv: the course's .env") {
    auto vars = broker::parse_dotenv(
        "MQTT_BROKER=\"127.0.0.1\" # local broker\nMQTT_PORT=8883\nMQTT_USER=student\n"
        "MQTT_PASSWORD='pa$$ #word'\n",
        "course.env");
    REQUIRE(vars.ok());
    CHECK(vars->at("MQTT_BROKER") == "127.0.0.1");
    CHECK(vars->at("MQTT_PORT") == "8883");
    CHECK(vars->at("MQTT_USER") == "student");
    CHECK(vars->at("MQTT_PASSWORD") == "pa$$ #word");
}
