// SimFleet's logic with a fake link: timetable, message limit, control, faults, clean stop.
#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "core/base/payload.h"
#include "core/base/stop_signal.h"
#include "core/sim/fleet.h"

using namespace iotctl;

namespace {

// Records what the fleet asks of it; connects succeed at once.
struct FakeLink : sim::SimLink {
    sim::SimLinkEvents events;
    std::vector<std::pair<std::string, std::string>>* sent;
    int* connects;
    int* drops;
    void connect() override {
        ++*connects;
        events.on_connected();
    }
    base::Status publish(const std::string& topic, const std::string& payload) override {
        sent->emplace_back(topic, payload);
        if (sent->size() == 1 && events.on_control) {
            events.on_control({"", R"({"led":"on"})", {}, {}});  // arrives as if from the broker
            events.on_control({"", "{broken", {}, {}});
        }
        return {};
    }
    bool drop() override {
        ++*drops;
        return true;
    }
    void disconnect() override {}
};

struct Run {
    std::vector<std::pair<std::string, std::string>> sent;
    int connects = 0, drops = 0;
    std::ostringstream log;
    sim::FleetStats stats;
};

void run_fleet(Run& r, sim::FleetOptions o, size_t devices) {
    std::vector<std::unique_ptr<sim::SimDevice>> list;
    for (const auto& name : sim::default_device_names(sim::SimProfile::hexaboard, devices))
        list.push_back(sim::make_sim_device(sim::SimProfile::hexaboard, name, o.seed, ""));
    sim::SimFleet fleet(
        o, std::move(list),
        [&](const sim::SimDevice&, sim::SimLinkEvents ev) -> std::unique_ptr<sim::SimLink> {
            auto link = std::make_unique<FakeLink>();
            link->events = std::move(ev);
            link->sent = &r.sent;
            link->connects = &r.connects;
            link->drops = &r.drops;
            return link;
        },
        r.log);
    REQUIRE(fleet.run().ok());
    r.stats = fleet.stats();
}

}  // namespace

TEST_CASE("fleet publishes the asked number of readings, round robin, and obeys control") {
    iotctl::base::reset_stop();  // earlier tests in this process may have requested a stop
    sim::FleetOptions o;
    o.interval = 0.05;
    o.messages = 9;
    o.seed = 5;
    o.start_time = 1732500000;
    Run r;
    run_fleet(r, o, 3);
    REQUIRE(r.sent.size() == 9);
    CHECK(r.connects == 3);
    CHECK(r.sent[0].first == "hexaboard/A/sensor/data");
    CHECK(r.sent[1].first == "hexaboard/B/sensor/data");
    CHECK(r.sent[2].first == "hexaboard/C/sensor/data");
    CHECK(nlohmann::json::parse(r.sent[0].second)["led"] == "off");
    CHECK(nlohmann::json::parse(r.sent[6].second)["led"] == "on");  // a later reading of A
    CHECK(nlohmann::json::parse(r.sent[0].second)["timestamp"] == 1732500000);
    CHECK(r.stats.commands == 1);
    CHECK(r.stats.bad_commands == 1);
    CHECK(r.log.str().find("A: ignored control message: not JSON") != std::string::npos);
    Run again;
    run_fleet(again, o, 3);
    CHECK(again.sent == r.sent);
}

TEST_CASE("fleet faults: broken share near the rate, drops reconnect") {
    iotctl::base::reset_stop();  // earlier tests in this process may have requested a stop
    sim::FleetOptions o;
    o.interval = 0.002;
    o.messages = 2000;
    o.seed = 11;
    o.faults = 0.1;
    o.reconnect_delay = 0.0;
    Run r;
    run_fleet(r, o, 5);
    size_t broken = 0;
    for (const auto& [topic, payload] : r.sent)
        broken += !base::parse_json_payload(payload).has_value();
    CHECK(broken == r.stats.broken);
    CHECK(static_cast<double>(broken) / static_cast<double>(r.sent.size()) ==
          doctest::Approx(0.1).epsilon(0.3));
    CHECK(r.drops > 0);
    CHECK(r.stats.reconnects > 0);
}

namespace {
// Every connect is refused (as a broker refuses MQTT 5 or bad credentials); explains it.
struct RefusedLink : sim::SimLink {
    sim::SimLinkEvents events;
    void connect() override {
        events.on_connect_failed(base::Error{base::ExitCode::refused, "refused: not authorised"});
    }
    base::Status publish(const std::string&, const std::string&) override { return {}; }
    bool drop() override { return false; }
    void disconnect() override {}
    base::Error explain_failure(base::Error error) const override {
        error.message += " (explained)";
        return error;
    }
};
}  // namespace

TEST_CASE("fleet: a refused first connect ends the run with the refusal's exit code and reason") {
    iotctl::base::reset_stop();
    sim::FleetOptions o;
    o.interval = 0.05;
    o.messages = 1;
    std::vector<std::unique_ptr<sim::SimDevice>> list;
    list.push_back(sim::make_sim_device(sim::SimProfile::hexaboard, "A", 1, ""));
    std::ostringstream log;
    sim::SimFleet fleet(
        o, std::move(list),
        [](const sim::SimDevice&, sim::SimLinkEvents ev) -> std::unique_ptr<sim::SimLink> {
            auto link = std::make_unique<RefusedLink>();
            link->events = std::move(ev);
            return link;
        },
        log);
    base::Status s = fleet.run();
    REQUIRE(!s.ok());
    CHECK(s.error().code == base::ExitCode::refused);  // was ExitCode::connect (3)
    CHECK(s.error().message == "refused: not authorised (explained)");
}
