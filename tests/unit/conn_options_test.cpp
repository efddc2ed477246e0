// Broker URLs and the resolution of connection options (ports, TLS, password file, checks).
#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include <MQTTAsync.h>

#include "core/broker/config_layers.h"
#include "core/broker/conn_options.h"
#include "core/broker/session.h"

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
          "invalid protocol version 'v4': expected mqttv31, mqttv311 or mqttv5");
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

TEST_CASE("resolve: port 8883 turns TLS on with the default trust store; --no-tls keeps it plain") {
    broker::ConnOptions course;  // MQTT_PORT=8883 and nothing else, as the course's .env has it
    course.port = 8883;
    REQUIRE(broker::resolve_conn_options(course).ok());
    CHECK(course.tls);
    CHECK(course.tls_from_port);
    CHECK(course.cafile.empty());
    CHECK(broker::server_uri(course) == "ssl://localhost:8883");

    broker::ConnOptions plain_8883;
    plain_8883.port = 8883;
    plain_8883.no_tls = true;
    REQUIRE(broker::resolve_conn_options(plain_8883).ok());
    CHECK_FALSE(plain_8883.tls);
    CHECK(broker::server_uri(plain_8883) == "tcp://localhost:8883");

    broker::ConnOptions other_port;
    other_port.port = 1884;
    REQUIRE(broker::resolve_conn_options(other_port).ok());
    CHECK_FALSE(other_port.tls);

    broker::ConnOptions asked;  // --tls / --tls-use-os-certs / MQTT_TLS=true
    asked.tls_requested = true;
    REQUIRE(broker::resolve_conn_options(asked).ok());
    CHECK(asked.tls);
    CHECK_FALSE(asked.tls_from_port);
    CHECK(broker::effective_port(asked) == 8883);

    broker::ConnOptions with_ca;  // a TLS option on 8883: TLS because of the option
    with_ca.port = 8883;
    with_ca.insecure = true;
    REQUIRE(broker::resolve_conn_options(with_ca).ok());
    CHECK(with_ca.tls);
    CHECK_FALSE(with_ca.tls_from_port);

    broker::ConnOptions twice;  // resolving again changes nothing
    twice.port = 8883;
    REQUIRE(broker::resolve_conn_options(twice).ok());
    REQUIRE(broker::resolve_conn_options(twice).ok());
    CHECK(twice.tls);
    CHECK(twice.tls_from_port);
}

TEST_CASE("resolve: --no-tls contradicts the options that ask for TLS") {
    auto error_of = [](auto set) {
        broker::ConnOptions o;
        o.no_tls = true;
        set(o);
        auto r = broker::resolve_conn_options(o);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == base::ExitCode::usage);
        return r.error().message;
    };
    CHECK(error_of([](broker::ConnOptions& o) { o.insecure = true; }) ==
          "--no-tls contradicts --insecure");
    CHECK(error_of([](broker::ConnOptions& o) { o.url = "mqtts://h"; }) ==
          "--no-tls contradicts an mqtts:// URL");
    CHECK(error_of([](broker::ConnOptions& o) { o.tls_requested = true; }) ==
          "--no-tls contradicts --tls (or --tls-use-os-certs)");
}

TEST_CASE("protocol versions: 3.1, 3.1.1 and 5") {
    broker::ConnOptions o;
    for (auto [name, version] : {std::pair{"mqttv31", MQTTVERSION_3_1},
                                 {"31", MQTTVERSION_3_1},
                                 {"mqttv311", MQTTVERSION_3_1_1},
                                 {"311", MQTTVERSION_3_1_1},
                                 {"mqttv5", MQTTVERSION_5},
                                 {"5", MQTTVERSION_5}}) {
        o.protocol_version = name;
        CHECK(broker::mqtt_version(o) == version);
        CHECK(broker::resolve_conn_options(o).ok());
    }
}

TEST_CASE("MQTT_TLS in .env or the environment: true is --tls, false is --no-tls") {
    auto on = broker::options_from_variables({{"MQTT_TLS", "true"}});
    CHECK(on.at("tls") == std::vector<std::string>{"true"});
    CHECK(on.at("no-tls") == std::vector<std::string>{"false"});
    for (const char* off_value : {"false", "0", "no", "OFF"}) {
        auto off = broker::options_from_variables({{"MQTT_TLS", off_value}});
        CHECK(off.at("tls") == std::vector<std::string>{"false"});
        CHECK(off.at("no-tls") == std::vector<std::string>{"true"});
    }
    // A later layer's MQTT_TLS replaces an earlier one's, switch by switch.
    auto merged = broker::merge_layers(on, broker::options_from_variables({{"MQTT_TLS", "0"}}));
    CHECK(merged.at("tls") == std::vector<std::string>{"false"});
    CHECK(merged.at("no-tls") == std::vector<std::string>{"true"});
}

TEST_CASE("connect failures: MQTT 5 refused by a 3.1.1 broker points to -V mqttv311") {
    broker::ConnOptions v5;
    v5.host = "b";
    v5.port = 1883;
    v5.protocol_version = "mqttv5";
    // A 3.1.1-only broker answers CONNACK return code 1; an MQTT 5 one reason code 0x84.
    for (auto [rc, reason] : {std::pair{1, 0}, {0x84, 0}, {-1, 0x84}}) {
        auto e = broker::connect_failure(v5, rc, reason);
        CHECK(e.code == base::ExitCode::refused);
        CHECK(e.message ==
              "broker at b:1883 refused the connection: it does not accept MQTT 5 (-V mqttv5); use "
              "-V mqttv311");
    }
    broker::ConnOptions v311 = v5;
    v311.protocol_version = "mqttv311";
    CHECK(broker::connect_failure(v311, 1, 0).message ==
          "broker at b:1883 refused the connection: unacceptable protocol version");
}
