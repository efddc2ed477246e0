// The InfluxDB sink against real servers: Debian's InfluxDB 1.6 (v1 API) and VictoriaMetrics
// (v2 API), started through scripts/services. Skipped with a MESSAGE when a server is missing.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/sinks/http_client.h"
#include "core/sinks/influx_sink.h"
#include "tests/integration/fixture_batch.h"
#include "tests/integration/services.h"

using namespace iotctl;
using namespace iotctl::testing;
using nlohmann::json;

TEST_SUITE_BEGIN("integration_influx");

namespace {

std::unique_ptr<sinks::Sink> influx_v1(const std::string& url, const std::string& db,
                                       bool gzip = true, double timeout = 10) {
    sinks::InfluxSinkOptions o;
    o.url = url;
    o.db = db;
    o.gzip = gzip;
    o.timeout_s = timeout;
    auto made = sinks::make_influx_sink(o);
    REQUIRE(made.ok());
    return std::move(*made);
}

// Runs an InfluxQL query; returns the first series of the first result (or null).
json influx_query(Service& influx, const std::string& db, const std::string& q) {
    const std::string body = http_post_form(
        sinks::http_url(influx["URL"], "/query", {{"db", db}, {"epoch", "ns"}, {"q", q}}), "");
    json parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed["results"][0].contains("series")) return nullptr;
    return parsed["results"][0]["series"][0];
}

// The rows of a series as objects keyed by column name.
std::vector<json> rows_of(const json& series) {
    std::vector<json> rows;
    if (series.is_null()) return rows;
    for (const auto& values : series["values"]) {
        json row;
        for (size_t i = 0; i < series["columns"].size(); ++i)
            row[series["columns"][i].get<std::string>()] = values[i];
        rows.push_back(row);
    }
    return rows;
}

Service* influx_server() {
    return shared_service("influxdb", "influxd", "--max-body-size 4000");
}

}  // namespace

TEST_CASE("InfluxDB 1.x: the fixture batch is stored with exact values (database created)") {
    Service* influx = influx_server();
    IOTCTL_SKIP_WITHOUT(influx, "influxd");
    auto sink = influx_v1(influx->operator[]("URL"), "iot_fixture");
    sinks::WriteOutcome o = sink->write(fixture_batch());
    REQUIRE_MESSAGE(o.kind == sinks::WriteOutcome::ok, o.message);

    auto hex = rows_of(influx_query(*influx, "iot_fixture", "SELECT * FROM hexaboard"));
    REQUIRE(hex.size() == 2);
    CHECK(hex[0]["time"] == k_t0);
    CHECK(hex[0]["board"] == "A");
    CHECK(hex[0]["temperature"] == 25.0);
    CHECK(hex[0]["light"] == 800);
    CHECK(hex[1]["temperature"] == 24.5);
    CHECK(hex[1]["light"].is_null());

    auto zb = rows_of(influx_query(*influx, "iot_fixture", "SELECT * FROM zigbee"));
    REQUIRE(zb.size() == 2);
    // A newline cannot live in a tag: it is stored as the two characters backslash, n.
    CHECK(zb[0]["name"] == "Kitchen\\nDoor, A=B c");
    CHECK(zb[0]["Temperature"] == 21.5);
    CHECK(zb[0]["LinkQuality"] == 94);
    CHECK(zb[0]["Contact"] == true);
    CHECK(zb[1]["name"] == "'; DROP TABLE zigbee; --");
    CHECK(zb[1]["note"] == "say \"hi\" \\ there");

    auto climate = rows_of(influx_query(*influx, "iot_fixture", "SELECT * FROM gateway_climate"));
    REQUIRE(climate.size() == 1);
    CHECK(climate[0]["DewPoint"] == 9.7);
    CHECK(climate[0]["sensor"] == "SHTC3");
    auto state = rows_of(influx_query(*influx, "iot_fixture", "SELECT * FROM gateway_state"));
    REQUIRE(state.size() == 1);
    CHECK(state[0]["Signal"] == -62);

    // The same batch again (a retry after a timeout) overwrites: still one point each.
    REQUIRE(sink->write(fixture_batch()).kind == sinks::WriteOutcome::ok);
    CHECK(rows_of(influx_query(*influx, "iot_fixture", "SELECT * FROM zigbee")).size() == 2);
}

TEST_CASE("InfluxDB 1.x: 400 rejects only the conflicting record; the others are stored") {
    Service* influx = influx_server();
    IOTCTL_SKIP_WITHOUT(influx, "influxd");
    auto sink = influx_v1((*influx)["URL"], "iot_reject");
    REQUIRE(sink->write({base::Record{"m", {{"k", "a"}}, {{"v", 1.0}}, 1}}).kind ==
            sinks::WriteOutcome::ok);
    std::vector<base::Record> batch{
        base::Record{"m", {{"k", "b"}}, {{"v", 2.0}}, 2},
        base::Record{"m", {{"k", "c"}}, {{"v", std::string("not a float")}}, 3},
        base::Record{"m", {{"k", "d"}}, {{"v", 4.0}}, 4}};
    sinks::WriteOutcome o = sink->write(batch);
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{1});
    CHECK(o.message.find("field type conflict") != std::string::npos);
    CHECK(rows_of(influx_query(*influx, "iot_reject", "SELECT * FROM m")).size() == 3);
}

TEST_CASE("InfluxDB 1.x: 413 splits the batch until every point fits, gzip or not") {
    Service* influx = influx_server();
    IOTCTL_SKIP_WITHOUT(influx, "influxd");
    for (bool gzip : {false, true}) {
        const std::string db = gzip ? "iot_split_gzip" : "iot_split";
        std::vector<base::Record> batch;
        for (int i = 0; i < 3000; ++i)
            batch.push_back(base::Record{"load",
                                         {{"board", "B" + std::to_string(i % 7)}},
                                         {{"temperature", 20.0 + i % 13}, {"n", int64_t{i}}},
                                         k_t0 + i});
        sinks::WriteOutcome o = influx_v1((*influx)["URL"], db, gzip)->write(batch);
        REQUIRE_MESSAGE(o.kind == sinks::WriteOutcome::ok, o.message);
        json count = influx_query(*influx, db, "SELECT COUNT(n) FROM load");
        REQUIRE(!count.is_null());
        CHECK(count["values"][0][1] == 3000);
    }
}

TEST_CASE("InfluxDB down, then back: retry (quickly, no crash), then written after restart") {
    Service* influx = influx_server();
    IOTCTL_SKIP_WITHOUT(influx, "influxd");
    auto sink = influx_v1((*influx)["URL"], "iot_down", true, 3);
    REQUIRE(sink->write({base::Record{"m", {}, {{"v", 1.0}}, 1}}).kind == sinks::WriteOutcome::ok);
    influx->stop();
    const auto start = std::chrono::steady_clock::now();
    sinks::WriteOutcome o = sink->write({base::Record{"m", {}, {{"v", 2.0}}, 2}});
    CHECK(o.kind == sinks::WriteOutcome::retry);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    MESSAGE("outcome while down: " << o.message);
    REQUIRE(influx->restart());
    o = sink->write({base::Record{"m", {}, {{"v", 2.0}}, 2}});
    REQUIRE_MESSAGE(o.kind == sinks::WriteOutcome::ok, o.message);
    CHECK(rows_of(influx_query(*influx, "iot_down", "SELECT * FROM m")).size() == 2);
}

TEST_CASE("a server that accepts but never answers: retry after the timeout, not a hang") {
    Blackhole hole;
    sinks::InfluxSinkOptions o;
    o.url = "http://user:hole-secret@127.0.0.1:" + std::to_string(hole.port());
    o.db = "x";
    o.timeout_s = 1;
    auto sink = sinks::make_influx_sink(o);
    REQUIRE(sink.ok());
    const auto start = std::chrono::steady_clock::now();
    sinks::WriteOutcome outcome = (*sink)->write({base::Record{"m", {}, {{"v", 1.0}}, 1}});
    CHECK(outcome.kind == sinks::WriteOutcome::retry);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(outcome.message.find("hole-secret") == std::string::npos);
    MESSAGE("outcome: " << outcome.message);
}

TEST_CASE("VictoriaMetrics via the v2 API: numeric fields as measurement_field series") {
    Service* vm = shared_service("victoria-metrics", "victoria-metrics");
    IOTCTL_SKIP_WITHOUT(vm, "victoria-metrics");
    sinks::InfluxSinkOptions o;
    o.url = (*vm)["URL"];
    o.org = "acme";
    o.bucket = "iot";
    o.token = "test-token";
    auto sink = sinks::make_influx_sink(o);
    REQUIRE(sink.ok());
    sinks::WriteOutcome outcome = (*sink)->write(fixture_batch());
    REQUIRE_MESSAGE(outcome.kind == sinks::WriteOutcome::ok, outcome.message);

    // Export until the expected series are all searchable (VictoriaMetrics indexes asynchronously).
    std::map<std::string, json> series;  // "__name__|name or board tag" -> export line
    const std::vector<std::string> wanted{"hexaboard_temperature|A",
                                          "hexaboard_light|A",
                                          "hexaboard_temperature|B",
                                          "zigbee_Temperature|Kitchen\\nDoor, A=B c",
                                          "zigbee_Contact|Kitchen\\nDoor, A=B c",
                                          "zigbee_LinkQuality|'; DROP TABLE zigbee; --",
                                          "gateway_climate_DewPoint|"};
    auto complete = [&] {
        return std::all_of(wanted.begin(), wanted.end(),
                           [&](const auto& k) { return series.count(k) == 1; });
    };
    for (int attempt = 0; attempt < 200 && !complete(); ++attempt) {
        http_post_form((*vm)["URL"] + "/internal/force_flush", "");
        series.clear();
        std::istringstream lines(http_post_form(
            (*vm)["URL"] + "/api/v1/export",
            "match[]=" + std::string("{__name__=~\"(hexaboard|zigbee|gateway_climate)_.*\"}") +
                "&start=2020-01-01T00:00:00Z"));
        for (std::string line; std::getline(lines, line);) {
            json j = json::parse(line, nullptr, false);
            if (j.is_discarded()) continue;
            series[j["metric"]["__name__"].get<std::string>() + "|" +
                   j["metric"].value("name", "") + j["metric"].value("board", "")] = j;
        }
        if (!complete()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(series.count("hexaboard_temperature|A") == 1);
    CHECK(series["hexaboard_temperature|A"]["values"][0] == 25.0);
    CHECK(series["hexaboard_temperature|A"]["timestamps"][0] == k_t0 / 1000000);  // ms
    CHECK(series["hexaboard_light|A"]["values"][0] == 800);
    CHECK(series["hexaboard_temperature|B"]["values"][0] == 24.5);
    REQUIRE(series.count("zigbee_Temperature|Kitchen\\nDoor, A=B c") == 1);
    CHECK(series["zigbee_Temperature|Kitchen\\nDoor, A=B c"]["values"][0] == 21.5);
    CHECK(series["zigbee_Contact|Kitchen\\nDoor, A=B c"]["values"][0] == 1);
    CHECK(series["zigbee_LinkQuality|'; DROP TABLE zigbee; --"]["values"][0] == 120);
    CHECK(series["gateway_climate_DewPoint|"]["values"][0] == 9.7);
}

TEST_SUITE_END();
