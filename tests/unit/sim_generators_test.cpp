// Pure parts of simulate-hexaboard: readings, payloads, control parsing, timetable, names.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/base/payload.h"
#include "core/sim/control.h"
#include "core/sim/device.h"
#include "core/sim/readings.h"
#include "core/sim/schedule.h"
#include "core/sim/socket_drop.h"
#include "core/sim/tasmota.h"

using namespace iotctl;

TEST_CASE("same seed and board give the same readings; other seeds or boards differ") {
    sim::HexaboardWalk a(42, "A"), a2(42, "A"), b(42, "B"), a43(43, "A");
    for (int i = 0; i < 50; ++i) {
        auto r = a.next();
        auto r2 = a2.next();
        CHECK(sim::hexaboard_payload("A", r, 1) == sim::hexaboard_payload("A", r2, 1));
        CHECK(r.temperature >= -10);
        CHECK(r.temperature <= 45);
        CHECK(r.humidity >= 5);
        CHECK(r.humidity <= 95);
    }
    CHECK(sim::hexaboard_payload("A", sim::HexaboardWalk(42, "A").next(), 1) !=
          sim::hexaboard_payload("A", b.next(), 1));
    CHECK(sim::hexaboard_payload("A", sim::HexaboardWalk(42, "A").next(), 1) !=
          sim::hexaboard_payload("A", a43.next(), 1));
}

TEST_CASE("hexaboard payload has docs/payloads.md's keys in order, plus led") {
    sim::HexaboardWalk w(1, "A");
    w.set_led(true);
    auto p = sim::hexaboard_payload("A", w.next(), 1732500000);
    CHECK(p.rfind("{\"board\":\"A\",\"temperature\":", 0) == 0);
    auto j = nlohmann::json::parse(p);
    CHECK(j["timestamp"] == 1732500000);
    CHECK(j["led"] == "on");
    CHECK(j["light"].is_number_integer());
}

TEST_CASE("break_json always yields invalid JSON") {
    sim::SimRandom rng(7, "A", "faults");
    std::string good = sim::hexaboard_payload("A", sim::HexaboardWalk(7, "A").next(), 1);
    for (int i = 0; i < 200; ++i) {
        auto bad = sim::break_json(good, rng);
        CHECK(bad.size() < good.size());
        CHECK_FALSE(base::parse_json_payload(bad).has_value());
    }
}

TEST_CASE("control commands: led, interval, and problems that do not stop the rest") {
    auto on = sim::parse_control(R"({"led":"on"})");
    CHECK(on.led == true);
    CHECK(on.problems.empty());
    auto mixed = sim::parse_control(R"({"led":"off","interval":2,"dance":1})");
    CHECK(mixed.led == false);
    CHECK(mixed.interval == 2.0);
    REQUIRE(mixed.problems.size() == 1);
    CHECK(mixed.problems[0].find("dance") != std::string::npos);
    CHECK(sim::parse_control("{nope").problems.size() == 1);
    CHECK(sim::parse_control("[1]").problems.size() == 1);
    CHECK_FALSE(sim::parse_control(R"({"interval":-1})").interval.has_value());
    CHECK_FALSE(sim::parse_control(R"({"led":"blue"})").led.has_value());
}

TEST_CASE("tasmota gateway payloads have the fixture keys") {
    sim::GatewayWalk gw(3, "gw-1");
    auto climate = nlohmann::json::parse(gw.climate_payload(1795000000));
    CHECK(climate["SHTC3"]["Temperature"].is_number_float());
    CHECK(climate["TempUnit"] == "C");
    CHECK(climate["Time"].get<std::string>().size() == 19);
    auto zb = nlohmann::json::parse(gw.zigbee_payload());
    REQUIRE(zb["ZbReceived"].size() >= 1);
    for (auto& [addr, dev] : zb["ZbReceived"].items()) {
        CHECK(dev["Device"] == addr);
        CHECK(dev["Endpoint"] == 1);
    }
    auto state = nlohmann::json::parse(gw.state_payload(1795000000, 300));
    CHECK(state["Uptime"] == "0T00:05:00");
    CHECK(state["Wifi"]["RSSI"].is_number_integer());
    CHECK(sim::tasmota_uptime(90061) == "1T01:01:01");
}

TEST_CASE("timetable: spread start, fixed interval, deterministic jitter, interval changes") {
    sim::SimSchedule s({"A", "B"}, 1.0, 0.0, 1);
    auto x = s.pop(), y = s.pop(), z = s.pop();
    CHECK(x.device == 0);
    CHECK(x.at == 0.0);
    CHECK(y.device == 1);
    CHECK(y.at == 0.5);
    CHECK(z.device == 0);
    CHECK(z.at == 1.0);
    sim::SimSchedule j1({"A"}, 1.0, 0.5, 9), j2({"A"}, 1.0, 0.5, 9);
    for (int i = 0; i < 20; ++i) {
        auto a = j1.pop(), b = j2.pop();
        CHECK(a.at == b.at);
    }
    double last = j1.pop().at, next = j1.peek().at;
    CHECK(next - last >= 0.5);
    CHECK(next - last <= 1.5);
    sim::SimSchedule c({"A"}, 1.0, 0.0, 1);
    c.pop();
    c.set_interval(0, 5.0, 0.2);
    CHECK(c.peek().at == doctest::Approx(5.2));
}

TEST_CASE("device names: defaults, parsing, and bad lists") {
    auto names = sim::default_device_names(sim::SimProfile::hexaboard, 28);
    CHECK(names[0] == "A");
    CHECK(names[25] == "Z");
    CHECK(names[26] == "AA");
    CHECK(names[27] == "AB");
    CHECK(sim::default_device_names(sim::SimProfile::tasmota, 2)[1] == "gw-2");
    CHECK(sim::parse_device_names("A,B,C")->size() == 3);
    CHECK_FALSE(sim::parse_device_names("A,,B").ok());
    CHECK_FALSE(sim::parse_device_names("A,A").ok());
    CHECK_FALSE(sim::parse_device_names("a/b").ok());
    CHECK(sim::prefixed_topic("", "x") == "x");
    CHECK(sim::prefixed_topic("ci/", "x") == "ci/x");
    CHECK(sim::prefixed_topic("ci", "x") == "ci/x");
}

TEST_CASE("Paho's CONNECT trace line names the socket and client id") {
    auto got = sim::parse_connect_trace(
        "20261123 101500.123 7 iotctl-sim-1-A -> CONNECT version 4 clean: 1 (0)");
    REQUIRE(got.has_value());
    CHECK(got->first == 7);
    CHECK(got->second == "iotctl-sim-1-A");
    CHECK_FALSE(sim::parse_connect_trace("7 x <- CONNACK rc: 0").has_value());
}
