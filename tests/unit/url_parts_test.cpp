#include <doctest/doctest.h>

#include "core/sinks/url_parts.h"

using namespace iotctl;

TEST_CASE("url_for_log drops user, password and credentials in the query") {
    CHECK(sinks::url_for_log("mysql://ingest:s3cr%40t@db.example:3307/telemetry") ==
          "mysql://db.example:3307/telemetry");
    CHECK(sinks::url_for_log("http://admin:pw@127.0.0.1:8086?u=admin&p=pw") ==
          "http://127.0.0.1:8086");
    CHECK(sinks::url_for_log("http://127.0.0.1") == "http://127.0.0.1");
    CHECK(sinks::url_for_log("http://127.0.0.1:8086?db=iot&p=pw") ==
          "http://127.0.0.1:8086?db=iot");
    CHECK(sinks::url_for_log("http://h:1/?token=t&org=o&bucket=b") == "http://h:1?org=o&bucket=b");
}

TEST_CASE("url_for_log never echoes a URL it cannot parse") {
    auto text = sinks::url_for_log("mysql://user:secret@");
    CHECK(text.find("secret") == std::string::npos);
}

TEST_CASE("parse_url decodes credentials and keeps the port") {
    auto parts = sinks::parse_url("mysql://a%20b:p%3Aw@host:1234/db");
    REQUIRE(parts);
    CHECK(parts->user == "a b");
    CHECK(parts->password == "p:w");
    CHECK(parts->port == 1234);
    CHECK(parts->path == "/db");
}
