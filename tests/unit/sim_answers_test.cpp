// Simulated devices answering requests: a hexaboard's {"get":"reading"} (MQTT 5 properties or
// hexaboard/<id>/reply with the id echoed) and a Tasmota gateway's Status, as real Tasmota does.
#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "core/base/stop_signal.h"
#include "core/sim/fleet.h"

#include "core/sim/device.h"
#include "core/sim/tasmota_status.h"

using namespace iotctl;
using nlohmann::json;

namespace {
sim::SimAnswerContext context(int64_t now = 1732500100) {
    return sim::SimAnswerContext{now, 1, "broker.lan", 1883, "sim-gw-1", ""};
}
std::vector<sim::SimReply> ask(sim::SimDevice& d, const sim::ControlRequest& r) {
    return d.answer(r, d.parse_command(r), context());
}
}  // namespace

TEST_CASE("hexaboard: get reading answers with the last reading on the Response Topic") {
    auto board = sim::make_sim_device(sim::SimProfile::hexaboard, "A", 3, "ci");
    auto published = board->tick(1732500000);
    REQUIRE(published.size() == 1);
    auto replies = ask(*board, {"ci/hexaboard/A/control", R"({"get":"reading"})", "me/rep", "c0"});
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].topic == "me/rep");
    CHECK(replies[0].correlation_data == "c0");
    CHECK(replies[0].payload == published[0].second);  // byte for byte the reading published
}

TEST_CASE("hexaboard: without properties the answer goes to hexaboard/<id>/reply with the id") {
    auto board = sim::make_sim_device(sim::SimProfile::hexaboard, "B", 3, "");
    auto published = board->tick(1732500000);
    auto replies = ask(*board, {"hexaboard/B/control", R"({"get":"reading","id":"x1"})", {}, {}});
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].topic == "hexaboard/B/reply");
    CHECK(replies[0].correlation_data.empty());
    auto answer = json::parse(replies[0].payload);
    CHECK(answer["id"] == "x1");
    answer.erase("id");
    CHECK(answer == json::parse(published[0].second));
    // A numeric id comes back as a number; before any report the current reading is given.
    auto fresh = sim::make_sim_device(sim::SimProfile::hexaboard, "C", 3, "");
    auto r = ask(*fresh, {"hexaboard/C/control", R"({"get":"reading","id":42})", {}, {}});
    REQUIRE(r.size() == 1);
    CHECK(json::parse(r[0].payload)["id"] == 42);
    CHECK(json::parse(r[0].payload)["timestamp"] == 1732500100);
}

TEST_CASE("hexaboard: malformed requests are problems, not answers") {
    auto board = sim::make_sim_device(sim::SimProfile::hexaboard, "A", 3, "");
    for (const char* bad : {"{not json", R"({"get":"everything"})", R"({"id":1})", "[]", ""}) {
        sim::ControlRequest r{"hexaboard/A/control", bad, {}, {}};
        auto cmd = board->parse_command(r);
        CHECK_FALSE(cmd.problems.empty());
        CHECK(board->answer(r, cmd, context()).empty());
    }
    auto cmd = board->parse_command({"hexaboard/A/control", R"({"led":"on"})", {}, {}});
    CHECK(cmd.problems.empty());
    CHECK(board->answer({}, cmd, context()).empty());  // a command, not a request
}

TEST_CASE("tasmota: commands by name in any case; Status numbers it has") {
    CHECK(sim::parse_tasmota_command("cmnd/gw/Status", "").status == -1);
    CHECK(sim::parse_tasmota_command("cmnd/gw/STATUS", " 0 ").status == 0);
    CHECK(sim::parse_tasmota_command("cmnd/gw/status", "11").status == 11);
    CHECK(sim::parse_tasmota_command("cmnd/gw/teleperiod", "30").interval == 30);
    for (const char* bad : {"9", "12", "abc", "-1", "100"})
        CHECK_FALSE(sim::parse_tasmota_command("cmnd/gw/Status", bad).problems.empty());
    CHECK_FALSE(sim::parse_tasmota_command("cmnd/gw/Power", "ON").problems.empty());
}

TEST_CASE("tasmota: Status answers on stat/<gw>/STATUS[N] with Tasmota's sections") {
    auto gw = sim::make_sim_device(sim::SimProfile::tasmota, "gw-1", 9, "");
    CHECK(gw->control_topic() == "cmnd/gw-1/+");
    auto published = gw->tick(1732500000);  // SENSOR (SHTC3), SENSOR (ZbReceived), STATE
    REQUIRE(published.size() == 3);
    auto climate = json::parse(published[0].second);
    auto state = json::parse(published[2].second);

    auto all = ask(*gw, {"cmnd/gw-1/Status", "0", {}, {}});
    REQUIRE(all.size() == 1);
    CHECK(all[0].topic == "stat/gw-1/STATUS0");
    auto s0 = nlohmann::ordered_json::parse(all[0].payload);
    std::vector<std::string> keys;
    for (const auto& [k, v] : s0.items()) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"Status", "StatusPRM", "StatusFWR", "StatusLOG",
                                           "StatusMEM", "StatusNET", "StatusMQT", "StatusTIM",
                                           "StatusSNS", "StatusSTS"});
    CHECK(s0["Status"]["Topic"] == "gw-1");
    CHECK(s0["StatusLOG"]["TelePeriod"] == 1);
    CHECK(s0["StatusMQT"]["MqttHost"] == "broker.lan");
    CHECK(s0["StatusMQT"]["MqttClient"] == "sim-gw-1");
    CHECK(s0["StatusPRM"]["Uptime"] == "0T00:01:41");  // started at its first report
    CHECK(s0["StatusPRM"]["StartupUTC"] == "2024-11-25T02:00:00");
    CHECK(s0["StatusTIM"]["StartDST"] == "2024-03-31T02:00:00");
    CHECK(s0["StatusTIM"]["EndDST"] == "2024-10-27T03:00:00");
    CHECK(json(s0["StatusSNS"]["SHTC3"]) == climate["SHTC3"]);
    CHECK(json(s0["StatusSTS"]["Wifi"]) == state["Wifi"]);
    CHECK(s0["StatusSTS"]["Heap"] == state["Heap"]);
    CHECK(s0["StatusSTS"]["UptimeSec"] == 101);

    auto plain = ask(*gw, {"cmnd/gw-1/Status", "", {}, {}});
    REQUIRE(plain.size() == 1);
    CHECK(plain[0].topic == "stat/gw-1/STATUS");
    CHECK(json::parse(plain[0].payload).size() == 1);
    CHECK(json::parse(plain[0].payload)["Status"]["FriendlyName"] == json::array({"gw-1"}));
    const char* sections[] = {"",          "StatusPRM", "StatusFWR", "StatusLOG",
                              "StatusMEM", "StatusNET", "StatusMQT", "StatusTIM",
                              "StatusSNS", "",          "StatusSNS", "StatusSTS"};
    for (int n = 1; n <= 11; ++n) {
        if (n == 9) continue;
        auto r = ask(*gw, {"cmnd/gw-1/Status", std::to_string(n), {}, {}});
        REQUIRE(r.size() == 1);
        CHECK(r[0].topic == "stat/gw-1/STATUS" + std::to_string(n));
        auto body = json::parse(r[0].payload);
        CHECK(body.size() == 1);
        CHECK(body.contains(sections[n]));
    }
    auto tele = ask(*gw, {"cmnd/gw-1/TelePeriod", "30", {}, {}});
    REQUIRE(tele.size() == 1);
    CHECK(tele[0].topic == "stat/gw-1/RESULT");
    CHECK(tele[0].payload == R"({"TelePeriod":30})");
    CHECK(ask(*gw, {"cmnd/gw-1/Status", "9", {}, {}}).empty());
}

TEST_CASE("fleet: a request is answered through the link with the run's context") {
    iotctl::base::reset_stop();
    struct ReplyLink : sim::SimLink {
        sim::SimLinkEvents events;
        std::vector<sim::SimReply>* replies;
        int published = 0;
        void connect() override { events.on_connected(); }
        base::Status publish(const std::string&, const std::string&) override {
            if (++published == 1) {  // arrives as if from the broker, between reports
                events.on_control({"cmnd/gw-1/Status", "6", {}, {}});
                events.on_control({"cmnd/gw-1/Status", "x", {}, {}});
            }
            return {};
        }
        base::Status publish_reply(const sim::SimReply& r) override {
            replies->push_back(r);
            return {};
        }
        bool drop() override { return false; }
        void disconnect() override {}
    };
    std::vector<sim::SimReply> replies;
    sim::FleetOptions o;
    o.interval = 0.05;
    o.messages = 6;
    o.start_time = 1732500000;
    o.mqtt_host = "127.0.0.1";
    o.mqtt_port = 18830;
    o.client_id_base = "sim-x";
    std::vector<std::unique_ptr<sim::SimDevice>> devices;
    devices.push_back(sim::make_sim_device(sim::SimProfile::tasmota, "gw-1", 1, ""));
    std::ostringstream log;
    sim::SimFleet fleet(
        o, std::move(devices),
        [&](const sim::SimDevice&, sim::SimLinkEvents ev) -> std::unique_ptr<sim::SimLink> {
            auto link = std::make_unique<ReplyLink>();
            link->events = std::move(ev);
            link->replies = &replies;
            return link;
        },
        log);
    REQUIRE(fleet.run().ok());
    REQUIRE(replies.size() == 1);
    CHECK(replies[0].topic == "stat/gw-1/STATUS6");
    auto mqt = json::parse(replies[0].payload)["StatusMQT"];
    CHECK(mqt["MqttHost"] == "127.0.0.1");
    CHECK(mqt["MqttPort"] == 18830);
    CHECK(mqt["MqttClient"] == "sim-x-gw-1");
    CHECK(fleet.stats().replies == 1);
    CHECK(fleet.stats().bad_commands == 1);
    CHECK(fleet.stats().messages == 6);  // the timetable went on
    CHECK(log.str().find("gw-1: ignored control message: Status takes nothing") !=
          std::string::npos);
}
