// Broker URLs and the resolution of connection options (ports, TLS, password file, checks).
#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "core/broker/conn_options.h"

using namespace iotctl;

TEST_CASE("broker URLs") {
    auto u = broker::parse_broker_url("mqtt://broker.lan");
    REQUIRE(u.ok());
    CHECK(u->host == "broker.lan");
    CHECK_FALSE(u->port.has_value());
    CHECK_FALSE(u->tls);
    CHECK(u->topic.empty());

    u = broker::parse_broker_url("mqtts://alice:s3:cret@10.0.0.5:8884/tele/+/SENSOR");
    REQUIRE(u.ok());
    CHECK(u->tls);
    CHECK(u->username == "alice");
    CHECK(u->password == "s3:cret");
    CHECK(u->host == "10.0.0.5");
    CHECK(*u->port == 8884);
    CHECK(u->topic == "tele/+/SENSOR");

    u = broker::parse_broker_url("mqtt://bob@[::1]:1884/");
    REQUIRE(u.ok());
    CHECK(u->username == "bob");
    CHECK(u->password.empty());
    CHECK(u->host == "::1");
    CHECK(*u->port == 1884);
    CHECK(u->topic.empty());

    u = broker::parse_broker_url("mqtt://[::1]");
    REQUIRE(u.ok());
    CHECK(u->host == "::1");
}

TEST_CASE("bad broker URLs") {
    CHECK(broker::parse_broker_url("http://x").error().message ==
          "invalid URL 'http://x': expected mqtt:// or mqtts://");
    CHECK(broker::parse_broker_url("mqtt://").error().message == "invalid URL: no host");
    CHECK(broker::parse_broker_url("mqtt://h:0").error().message == "invalid URL: bad port '0'");
    CHECK(broker::parse_broker_url("mqtt://h:70000").error().message ==
          "invalid URL: bad port '70000'");
    CHECK(broker::parse_broker_url("mqtt://h:12x").error().message ==
          "invalid URL: bad port '12x'");
    CHECK(broker::parse_broker_url("mqtt://[::1").error().message ==
          "invalid URL: unclosed '[' in host");
    CHECK(broker::parse_broker_url("mqtt://u:p@:1883").error().code == base::ExitCode::usage);
}

TEST_CASE("resolve: URL fills host, port, TLS and credentials; topic returned") {
    broker::ConnOptions o;
    o.url = "mqtts://u:p@h:9999/a/b";
    auto topic = broker::resolve_conn_options(o);
    REQUIRE(topic.ok());
    CHECK(*topic == "a/b");
    CHECK(o.host == "h");
    CHECK(o.port == 9999);
    CHECK(o.tls);
    CHECK(o.username == "u");
    CHECK(o.password == "p");
    CHECK(broker::server_uri(o) == "ssl://h:9999");
}

TEST_CASE("default ports and URIs") {
    broker::ConnOptions o;
    CHECK(broker::effective_port(o) == 1883);
    CHECK(broker::server_uri(o) == "tcp://localhost:1883");
    o.tls = true;
    CHECK(broker::effective_port(o) == 8883);
    o.host = "::1";
    CHECK(broker::server_uri(o) == "ssl://[::1]:8883");
    broker::ConnOptions insecure;
    insecure.insecure = true;
    REQUIRE(broker::resolve_conn_options(insecure).ok());
    CHECK(insecure.tls);
    broker::ConnOptions v5;
    v5.protocol_version = "mqttv5";
    CHECK(broker::is_mqtt5(v5));
    CHECK_FALSE(broker::is_mqtt5(broker::ConnOptions{}));
    auto id = broker::random_client_id("sub");
    CHECK(id.starts_with("iotctl-sub-"));
    CHECK(id.size() == 19);
}

TEST_CASE("password file: first line, CR stripped; missing file named") {
    auto path = std::filesystem::temp_directory_path() / ("iotctl-pw-" + std::to_string(getpid()));
    std::ofstream(path) << "top secret\r\nsecond line\n";
    broker::ConnOptions o;
    o.password = "from-flag";
    o.password_file = path.string();
    REQUIRE(broker::resolve_conn_options(o).ok());
    CHECK(o.password == "top secret");
    std::filesystem::remove(path);
    broker::ConnOptions missing;
    missing.password_file = "/nonexistent/pw";
    CHECK(broker::resolve_conn_options(missing).error().message ==
          "cannot read password file '/nonexistent/pw'");
}

TEST_CASE("resolve: range and consistency checks") {
    auto error_of = [](auto set) {
        broker::ConnOptions o;
        set(o);
        return broker::resolve_conn_options(o).error().message;
    };
    CHECK(error_of([](broker::ConnOptions& o) { o.port = 70000; }) ==
          "invalid port 70000: expected 1-65535");
    CHECK(error_of([](broker::ConnOptions& o) { o.keepalive = -1; }) ==
          "invalid keepalive -1: expected 0-65535");
    CHECK(error_of([](broker::ConnOptions& o) { o.protocol_version = "v4"; }) ==
          "invalid protocol version 'v4': expected mqttv311 or mqttv5");
    CHECK(error_of([](broker::ConnOptions& o) { o.will_topic = "a/#"; }) ==
          "invalid topic 'a/#': wildcards are not allowed when publishing");
    CHECK(error_of([](broker::ConnOptions& o) { o.will_payload = "x"; }) ==
          "--will-payload needs --will-topic");
    CHECK(error_of([](broker::ConnOptions& o) {
              o.will_topic = "a";
              o.will_qos = 3;
          }) == "invalid will QoS 3: expected 0, 1 or 2");
    CHECK(error_of([](broker::ConnOptions& o) { o.cert = "/c.pem"; }) ==
          "--cert and --key must be given together");
    CHECK(error_of([](broker::ConnOptions& o) { o.cafile = "/nonexistent/ca.pem"; }) ==
          "cannot read TLS file '/nonexistent/ca.pem'");
    CHECK(error_of([](broker::ConnOptions& o) { o.tls_version = "sslv3"; }) ==
          "invalid TLS version 'sslv3': expected tlsv1.1 or tlsv1.2");
}
