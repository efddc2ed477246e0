// Every fixture message through the preset meant for it: measurement, tags, typed fields, time.
#include <doctest/doctest.h>

#include "core/mapping/mapper.h"
#include "mapping_test_support.h"

using namespace iotctl;
using namespace iotctl::testing;

namespace {

constexpr int64_t k_s = 1000000000LL;
constexpr int64_t k_2026_11_20_10h = 1795168800LL * k_s;  // 2026-11-20T10:00:00Z

using Strings = std::vector<std::string>;

struct Mapped {
    mapping::MapOutcome outcome;
    std::vector<base::Record> records;
};

Mapped run(const mapping::Mapper& mapper, const base::Message& m) {
    Mapped out;
    out.outcome = mapper.map(m, out.records);
    return out;
}

// The one record a message maps to, with nothing left out.
base::Record only_record(const mapping::Mapper& mapper, const base::Message& m) {
    auto mapped = run(mapper, m);
    REQUIRE(mapped.outcome.kind == mapping::MapOutcome::mapped);
    CHECK(mapped.outcome.reason == "");
    REQUIRE(mapped.records.size() == 1);
    return mapped.records[0];
}

}  // namespace

TEST_CASE("mapping presets: the fixture file has the ten messages these tests expect") {
    REQUIRE(fixture_messages().size() == 10);
}

TEST_CASE("mapping presets: hexaboard readings and status") {
    auto mapper = preset("hexaboard");
    CHECK(mapper->filters() == Strings{"hexaboard/+/sensor/data", "hexaboard/+/status"});
    auto msgs = fixture_messages();

    const base::Record r = only_record(*mapper, msgs[0]);
    CHECK(r.measurement == "hexaboard");
    CHECK(r.tags == std::vector<std::pair<std::string, std::string>>{{"board", "A"}});
    CHECK(field_names(r) == Strings{"humidity", "light", "temperature"});
    CHECK(field(r, "temperature") == base::FieldValue(25.0));
    CHECK(field(r, "humidity") == base::FieldValue(60.0));
    CHECK(field(r, "light") == base::FieldValue(800.0));
    CHECK(r.ts_ns == 1732500000LL * k_s);

    const base::Record b = only_record(*mapper, msgs[1]);
    CHECK(tag(b, "board") == "B");
    CHECK(field_names(b) == Strings{"humidity", "temperature"});
    CHECK(field(b, "temperature") == base::FieldValue(24.5));
    CHECK(b.ts_ns == k_receive_ns);

    const base::Record status = only_record(*mapper, msgs[2]);
    CHECK(status.measurement == "hexaboard_status");
    CHECK(tag(status, "board") == "A");
    CHECK(field(status, "online") == base::FieldValue(true));
    const base::Record offline =
        only_record(*mapper, make_message("hexaboard/B/status", "offline"));
    CHECK(field(offline, "online") == base::FieldValue(false));
}

TEST_CASE("mapping presets: hexaboard takes the board from the topic and ms timestamps") {
    auto mapper = preset("hexaboard");
    std::vector<base::Record> out;
    auto o = mapper->map(make_message("hexaboard/C7/sensor/data",
                                      R"({"temperature":"25.5","timestamp":1732500000123})"),
                         out);
    CHECK(o.kind == mapping::MapOutcome::mapped);
    REQUIRE(out.size() == 1);
    CHECK(tag(out[0], "board") == "C7");
    CHECK(field(out[0], "temperature") == base::FieldValue(25.5));
    CHECK(out[0].ts_ns == 1732500000123LL * 1000000);
    out.clear();
    o = mapper->map(
        make_message("hexaboard/C7/sensor/data", R"({"temperature":20,"timestamp":42})"), out);
    CHECK(o.kind == mapping::MapOutcome::mapped);
    CHECK(o.reason == "timestamp: 42 is before 2000 (clock not set?); used the receive time");
    REQUIRE(out.size() == 1);
    CHECK(out[0].ts_ns == k_receive_ns);
    out.clear();
    o = mapper->map(make_message("hexaboard/C7/control", R"({"led":"on"})"), out);
    CHECK(o.kind == mapping::MapOutcome::skipped);
    CHECK(out.empty());
}

TEST_CASE("mapping presets: tasmota climate, zigbee, state and LWT") {
    auto mapper = preset("tasmota");
    CHECK(mapper->filters() == Strings{"tele/+/SENSOR", "tele/+/STATE"});
    auto msgs = fixture_messages();

    const base::Record c = only_record(*mapper, msgs[3]);
    CHECK(c.measurement == "gateway_climate");
    CHECK(c.tags == std::vector<std::pair<std::string, std::string>>{{"gateway", "gw-livingroom"},
                                                                     {"sensor", "SHTC3"}});
    CHECK(field_names(c) == Strings{"DewPoint", "Humidity", "Temperature"});
    CHECK(field(c, "Temperature") == base::FieldValue(22.1));
    CHECK(field(c, "Humidity") == base::FieldValue(45.0));
    CHECK(field(c, "DewPoint") == base::FieldValue(9.7));
    CHECK(c.ts_ns == k_2026_11_20_10h);

    const base::Record k = only_record(*mapper, msgs[4]);
    CHECK(k.measurement == "zigbee");
    CHECK(k.tags == std::vector<std::pair<std::string, std::string>>{
                        {"device", "0x6E5B"}, {"gateway", "gw-livingroom"}, {"name", "Kitchen"}});
    CHECK(field_names(k) == Strings{"Endpoint", "Humidity", "LinkQuality", "Temperature"});
    CHECK(field(k, "Endpoint") == base::FieldValue(1.0));  // every zigbee number is a float
    CHECK(field(k, "LinkQuality") == base::FieldValue(94.0));
    CHECK(field(k, "Temperature") == base::FieldValue(21.5));
    CHECK(k.ts_ns == k_receive_ns);

    auto two = run(*mapper, msgs[5]);
    REQUIRE(two.outcome.kind == mapping::MapOutcome::mapped);
    REQUIRE(two.records.size() == 2);
    CHECK(tag(two.records[0], "device") == "0x1A2B");
    CHECK(tag(two.records[0], "name") == "FrontDoor");
    CHECK(field_names(two.records[0]) == Strings{"Contact", "Endpoint", "LinkQuality"});
    CHECK(field(two.records[0], "Contact") == base::FieldValue(1.0));
    CHECK(tag(two.records[1], "device") == "0x3C4D");
    CHECK(tag(two.records[1], "name") == "Plug");
    CHECK(field(two.records[1], "ActivePower") == base::FieldValue(35.0));
    CHECK(field(two.records[1], "Power") == base::FieldValue(1.0));

    const base::Record s = only_record(*mapper, msgs[6]);
    CHECK(s.measurement == "gateway_state");
    CHECK(s.tags == std::vector<std::pair<std::string, std::string>>{{"gateway", "gw-livingroom"}});
    CHECK(field_names(s) == Strings{"Heap", "LoadAvg", "MqttCount", "Sleep", "SleepMode", "Uptime",
                                    "UptimeSec", "Wifi_AP", "Wifi_Channel", "Wifi_LinkCount",
                                    "Wifi_Mode", "Wifi_RSSI", "Wifi_SSId", "Wifi_Signal"});
    CHECK(field(s, "Uptime") == base::FieldValue(std::string("0T00:05:00")));
    CHECK(field(s, "UptimeSec") == base::FieldValue(300.0));
    CHECK(field(s, "Wifi_RSSI") == base::FieldValue(76.0));
    CHECK(field(s, "Wifi_Signal") == base::FieldValue(-62.0));
    CHECK(s.ts_ns == k_2026_11_20_10h + 5 * k_s);

    auto lwt = run(*mapper, msgs[7]);
    CHECK(lwt.outcome.kind == mapping::MapOutcome::skipped);
    CHECK(lwt.records.empty());
}

TEST_CASE("mapping presets: tasmota zigbee device without Device takes the short address") {
    auto mapper = preset("tasmota");
    std::vector<base::Record> out;
    auto o = mapper->map(
        make_message("tele/gw/SENSOR", R"({"ZbReceived":{"0x9F01":{"Occupancy":true}}})"), out);
    CHECK(o.kind == mapping::MapOutcome::mapped);
    REQUIRE(out.size() == 1);
    CHECK(tag(out[0], "device") == "0x9F01");
    CHECK_FALSE(tag(out[0], "name"));
    CHECK(field(out[0], "Occupancy") == base::FieldValue(true));  // booleans stay booleans
}

TEST_CASE("mapping presets: generic stores RabbitMQ-style payloads") {
    auto mapper = preset("generic");
    CHECK(mapper->filters() == Strings{"#"});
    auto msgs = fixture_messages();

    const base::Record i = only_record(*mapper, msgs[8]);
    CHECK(i.measurement == "webos_smarthome_info");
    CHECK(i.tags ==
          std::vector<std::pair<std::string, std::string>>{
              {"topic", "webos/smarthome/info"}, {"Producer", "smarthome"}, {"command", "sensor"}});
    CHECK(field_names(i) == Strings{"humidity", "temperature"});
    CHECK(field(i, "temperature") == base::FieldValue(23.0));
    CHECK(i.ts_ns == k_receive_ns);

    const base::Record s = only_record(*mapper, msgs[9]);
    CHECK(s.measurement == "webos_android_info");
    CHECK(tag(s, "Producer") == "android");
    CHECK(tag(s, "command") == "signup");
    CHECK(tag(s, "UID") == "eAMHGLmiBGO76PIQ54O9CpsqTb23");
    CHECK(tag(s, "name") == "Hong-Gil-Dong");
    CHECK(s.fields == std::vector<std::pair<std::string, base::FieldValue>>{{"events", 1.0}});
}

TEST_CASE("mapping presets: generic flattens nested values and bare numbers") {
    auto mapper = preset("generic");
    auto msgs = fixture_messages();
    const base::Record state = only_record(*mapper, msgs[6]);
    CHECK(state.measurement == "tele_gw_livingroom_STATE");
    CHECK(field(state, "Wifi_RSSI") == base::FieldValue(76.0));
    CHECK(tag(state, "SleepMode") == "Dynamic");
    CHECK_FALSE(tag(state, "Wifi_SSId"));  // only top-level strings become tags

    std::vector<base::Record> out;
    CHECK(mapper->map(make_message("plant/boiler-1/load", "12.5"), out).kind ==
          mapping::MapOutcome::mapped);
    REQUIRE(out.size() == 1);
    CHECK(out[0].measurement == "plant_boiler_1_load");
    CHECK(field(out[0], "value") == base::FieldValue(12.5));
    out.clear();
    CHECK(mapper->map(make_message("x/y", R"({"a":[1,{"b":2}],"on":true})"), out).kind ==
          mapping::MapOutcome::mapped);
    REQUIRE(out.size() == 1);
    CHECK(field_names(out[0]) == Strings{"a_0", "a_1_b", "on"});
    CHECK(field(out[0], "on") == base::FieldValue(true));
}

TEST_CASE("mapping presets: unknown preset names the choices") {
    auto m = mapping::make_preset_mapper("zigbee2mqtt");
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().message ==
          "unknown preset 'zigbee2mqtt' (expected hexaboard, tasmota, generic)");
    CHECK(m.error().code == base::ExitCode::usage);
}

TEST_CASE("mapping presets: several presets are one mapping, their rules in the order given") {
    auto m = mapping::make_preset_mapper(Strings{"hexaboard", "tasmota", "generic"});
    REQUIRE(m.ok());
    const mapping::Mapper& mapper = **m;
    CHECK(mapper.filters() == Strings{"#"});  // generic's "#" covers the others' filters
    auto msgs = fixture_messages();
    CHECK(only_record(mapper, msgs[0]).measurement == "hexaboard");
    CHECK(only_record(mapper, msgs[2]).measurement == "hexaboard_status");
    CHECK(only_record(mapper, msgs[3]).measurement == "gateway_climate");
    CHECK(run(mapper, msgs[5]).records.size() == 2);  // zigbee: one record per device
    CHECK(only_record(mapper, msgs[6]).measurement == "gateway_state");
    CHECK(run(mapper, msgs[7]).outcome.kind == mapping::MapOutcome::skipped);  // tasmota skips LWT
    CHECK(only_record(mapper, msgs[8]).measurement == "webos_smarthome_info");
    auto bad = mapping::make_preset_mapper(Strings{"hexaboard", "nope"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == base::ExitCode::usage);
}
