// The ingest metrics without a network: the Prometheus text of a snapshot, label escaping, the
// write latency histogram, the health verdict, --metrics-listen parsing, the textfile writer
// and what `ingest status` reads from a state directory.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/ingest/checkpoint.h"
#include "core/ingest/metrics_file.h"
#include "core/ingest/metrics_server.h"
#include "core/ingest/metrics_text.h"
#include "core/ingest/status_report.h"

using namespace iotctl;
using namespace iotctl::ingest;

TEST_SUITE_BEGIN("metrics_text");

namespace {
constexpr int64_t k_now = 1'700'000'100'000'000'000;

MetricsSnapshot sample_snapshot() {
    MetricsSnapshot s;
    s.now_ns = k_now;
    s.start_ns = k_now - 100'000'000'000;
    s.received = 20000;
    s.spooled = 20000;
    s.dead = 3;
    s.skipped = 2;
    s.spool_bytes = 4096;
    s.connected = true;
    s.reconnects = 1;
    SinkSnapshot influx;
    influx.name = "influx";
    influx.messages = 19000;
    influx.records = 18990;
    influx.batches = 7;
    influx.retries = 4;
    influx.lag_bytes = 1000;
    influx.lag_seconds = 2.5;
    influx.running = true;
    influx.down = true;
    influx.failing_since_ns = k_now - 12'000'000'000;
    influx.last_error_ns = k_now - 1'000'000'000;
    influx.last_error = "InfluxDB at http://127.0.0.1:8086: connection refused";
    LatencyHistogram h;
    h.observe(0.0005);
    h.observe(0.003);
    h.observe(0.2);
    h.observe(100);
    influx.write_seconds = h.snapshot();
    SinkSnapshot sqlite;
    sqlite.name = "sqlite";
    sqlite.running = true;
    s.sinks = {influx, sqlite};
    s.filters = {{"load/#", 20000, 0.25}, {"odd\"fil\\ter\nx", 0, 100}};
    return s;
}

/// Sample lines as name{labels} -> value text.
std::map<std::string, std::string> samples(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        REQUIRE(space != std::string::npos);
        out[line.substr(0, space)] = line.substr(space + 1);
    }
    return out;
}
}  // namespace

TEST_CASE("every family has HELP and TYPE once, before its samples, and names follow the rules") {
    const std::string text = render_metrics(sample_snapshot());
    std::istringstream in(text);
    std::string line;
    std::set<std::string> typed;
    std::string current;
    while (std::getline(in, line)) {
        if (line.starts_with("# TYPE ")) {
            std::istringstream f(line.substr(7));
            std::string name, type;
            f >> name >> type;
            CHECK(typed.insert(name).second);
            CHECK(name.starts_with("iotctl_ingest_"));
            if (type == "counter") CHECK(name.ends_with("_total"));
            current = name;
        } else if (!line.starts_with("#")) {
            CHECK(line.starts_with(current));
        }
    }
    CHECK(typed.size() >= 20);
    CHECK(text.back() == '\n');
}

TEST_CASE("counters, gauges and labels carry the snapshot's values") {
    auto s = samples(render_metrics(sample_snapshot()));
    CHECK(s["iotctl_ingest_messages_received_total"] == "20000");
    CHECK(s["iotctl_ingest_messages_spooled_total"] == "20000");
    CHECK(s["iotctl_ingest_messages_dead_lettered_total"] == "3");
    CHECK(s["iotctl_ingest_messages_skipped_total"] == "2");
    CHECK(s["iotctl_ingest_spool_bytes"] == "4096");
    CHECK(s["iotctl_ingest_broker_reconnects_total"] == "1");
    CHECK(s["iotctl_ingest_sink_messages_written_total{sink=\"influx\"}"] == "19000");
    CHECK(s["iotctl_ingest_sink_records_written_total{sink=\"influx\"}"] == "18990");
    CHECK(s["iotctl_ingest_sink_retries_total{sink=\"influx\"}"] == "4");
    CHECK(s["iotctl_ingest_sink_lag_bytes{sink=\"influx\"}"] == "1000");
    CHECK(s["iotctl_ingest_sink_lag_seconds{sink=\"influx\"}"] == "2.5");
    CHECK(s["iotctl_ingest_sink_up{sink=\"influx\"}"] == "0");
    CHECK(s["iotctl_ingest_sink_up{sink=\"sqlite\"}"] == "1");
    CHECK(s["iotctl_ingest_sink_last_error_timestamp_seconds{sink=\"influx\"}"] == "1700000099");
    CHECK(s["iotctl_ingest_sink_last_error_timestamp_seconds{sink=\"sqlite\"}"] == "0");
    CHECK(s["iotctl_ingest_filter_messages_total{filter=\"load/#\"}"] == "20000");
    CHECK(s["iotctl_ingest_filter_last_message_age_seconds{filter=\"load/#\"}"] == "0.25");
    CHECK(s["iotctl_ingest_filter_messages_total{filter=\"odd\\\"fil\\\\ter\\nx\"}"] == "0");
}

TEST_CASE("the write latency histogram is cumulative and ends in +Inf equal to _count") {
    auto s = samples(render_metrics(sample_snapshot()));
    const std::string b = "iotctl_ingest_sink_write_duration_seconds_bucket{sink=\"influx\",le=";
    CHECK(s[b + "\"0.001\"}"] == "1");
    CHECK(s[b + "\"0.005\"}"] == "2");
    CHECK(s[b + "\"0.25\"}"] == "3");
    CHECK(s[b + "\"30\"}"] == "3");
    CHECK(s[b + "\"+Inf\"}"] == "4");
    CHECK(s["iotctl_ingest_sink_write_duration_seconds_count{sink=\"influx\"}"] == "4");
    CHECK(std::stod(s["iotctl_ingest_sink_write_duration_seconds_sum{sink=\"influx\"}"]) ==
          doctest::Approx(100.2035));
    CHECK(s["iotctl_ingest_sink_write_duration_seconds_bucket{sink=\"sqlite\",le=\"+Inf\"}"] ==
          "0");
}

TEST_CASE("label values and sample values are escaped and formatted for the text format") {
    CHECK(escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
    CHECK(format_sample_value(3) == "3");
    CHECK(format_sample_value(0.25) == "0.25");
    CHECK(format_sample_value(1.0 / 0.0) == "+Inf");
    CHECK(format_sample_value(-1.0 / 0.0) == "-Inf");
    CHECK(format_sample_value(0.0 / 0.0) == "NaN");
    CHECK(format_sample_value(18446744073709551615.0).find('e') != std::string::npos);
}

TEST_CASE("health: one line naming the failing part, empty when all is well") {
    MetricsSnapshot s = sample_snapshot();
    CHECK(health_problem(s) ==
          "influx: write failing since 12 s: InfluxDB at http://127.0.0.1:8086: connection "
          "refused");
    s.sinks[0].down = false;
    s.sinks[0].failing_since_ns = 0;
    CHECK(health_problem(s).empty());
    s.sinks[1].running = false;
    CHECK(health_problem(s) == "sqlite: sink thread is not running");
    s.sinks[1].running = true;
    s.connected = false;
    s.disconnected_since_ns = k_now - 3'000'000'000;
    CHECK(health_problem(s) == "broker: disconnected since 3 s");
    s.connected = true;
    s.spool_failing = true;
    s.spool_state = "DISK FULL";
    CHECK(health_problem(s) == "spool: cannot be written (DISK FULL)");
}

TEST_CASE("--metrics-listen takes HOST:PORT exactly") {
    auto a = parse_listen_address("127.0.0.1:0");
    REQUIRE(a.ok());
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 0);
    auto v6 = parse_listen_address("[::1]:9108");
    REQUIRE(v6.ok());
    CHECK(v6->host == "::1");
    CHECK(v6->port == 9108);
    for (const char* bad : {"9108", ":9108", "host:", "::1:9108", "h:70000", "h:9x", "[::1:9"})
        CHECK(parse_listen_address(bad).error().code == base::ExitCode::usage);
}

TEST_CASE("replace_file swaps the whole text in and leaves no temporary file") {
    auto dir = std::filesystem::temp_directory_path() / "iotctl-metrics-file-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "ingest.prom").string();
    REQUIRE(replace_file(path, "a 1\n").ok());
    REQUIRE(replace_file(path, "b 2\n").ok());
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text == "b 2\n");
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    CHECK_FALSE(replace_file((dir / "no/such/dir/x.prom").string(), "x").ok());
    std::filesystem::remove_all(dir);
}

TEST_CASE("ingest status reads a stopped state directory: spool, checkpoints, status file") {
    auto root = std::filesystem::temp_directory_path() / "iotctl-status-test";
    std::filesystem::remove_all(root);
    const auto dir = root / "iotctl-ingest-0123456789abcdef";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "lock") << "999999\n";
    std::ofstream(dir / "00000000000000001000.seg") << std::string(500, 'x');
    REQUIRE(write_checkpoint(checkpoint_path(dir.string(), "sqlite"), 1500).ok());
    REQUIRE(write_checkpoint(checkpoint_path(dir.string(), "influx"), 1100).ok());
    std::ofstream(dir / "status.json")
        << R"({"pid":999999,"filters":["load/#"],"broker":"127.0.0.1:1883","dead_letters":4,)"
        << R"("last_message_ns":1700000000000000000,"updated_ns":1700000001000000000,)"
        << R"("problem":"","sinks":[]})";
    auto states = read_ingest_states(root.string(), k_now);
    REQUIRE(states.size() == 1);
    const IngestState& s = states[0];
    CHECK(s.client_id == "iotctl-ingest-0123456789abcdef");
    CHECK(s.pid == 999999);
    CHECK_FALSE(s.running);
    CHECK(s.problem == "not running");
    CHECK(s.filters == std::vector<std::string>{"load/#"});
    CHECK(s.spool_bytes == 500);
    CHECK(s.dead_letters == 4);
    REQUIRE(s.sinks.size() == 2);
    CHECK(s.sinks[0].name == "influx");
    CHECK(s.sinks[0].lag_bytes == 400);
    CHECK(s.sinks[1].name == "sqlite");
    CHECK(s.sinks[1].lag_bytes == 0);
    const std::string text = render_status_text(states, k_now);
    CHECK(text.find("stopped (pid 999999), NOT HEALTHY: not running") != std::string::npos);
    CHECK(text.find("sink influx: checkpoint 1100, lag 400B") != std::string::npos);
    CHECK(text.find("last message: 2023-11-14T22:13:20Z (100 s ago)") != std::string::npos);
    auto json = render_status_json(states);
    CHECK(json[0]["healthy"] == false);
    CHECK(json[0]["sinks"][0]["lag_bytes"] == 400);
    // The state dir itself may be given too.
    CHECK(read_ingest_states(dir.string(), k_now).size() == 1);
    std::filesystem::remove_all(root);
}
