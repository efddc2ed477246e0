#include <doctest/doctest.h>

#include <limits>

#include "core/base/json_fields.h"
#include "core/capture/csv_windows.h"
#include "core/capture/rolling_means.h"
#include "core/capture/window_agg.h"

using namespace iotctl;
using capture::Agg;

namespace {
constexpr int64_t k_s = 1'000'000'000;
constexpr int64_t k_t0 = 1795168800 * k_s;  // 2026-11-20T10:00:00Z
constexpr int64_t k_all = std::numeric_limits<int64_t>::max();

base::Message msg(int64_t ts, std::string topic, std::string payload) {
    base::Message m;
    m.ts_ns = ts;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    return m;
}
}  // namespace

TEST_CASE("--every: s, m, h, d; 0, junk and no unit are usage errors") {
    CHECK(*capture::parse_every("10s") == 10 * k_s);
    CHECK(*capture::parse_every("1m") == 60 * k_s);
    CHECK(*capture::parse_every("2h") == 7200 * k_s);
    CHECK(*capture::parse_every("1d") == 86400 * k_s);
    for (const char* bad :
         {"", "0s", "0m", "10", "s", "1.5m", "-1m", "1x", "1 m", "m1", "9999999d"}) {
        auto r = capture::parse_every(bad);
        CHECK_MESSAGE(!r.ok(), bad);
        if (!r.ok()) CHECK(r.error().code == base::ExitCode::usage);
    }
    CHECK(capture::parse_every("0s").error().message.find("invalid --every '0s'") == 0);
}

TEST_CASE("--agg: a subset in the order given, unknown and repeated names refused") {
    auto aggs = capture::parse_agg_list("max,mean");
    REQUIRE(aggs.ok());
    CHECK(*aggs == std::vector<Agg>{Agg::max, Agg::mean});
    CHECK(capture::parse_agg_list("mean,min,max,count,last")->size() == 5);
    for (const char* bad : {"", "avg", "mean,", "mean,mean", "MEAN"})
        CHECK_MESSAGE(!capture::parse_agg_list(bad).ok(), bad);
}

TEST_CASE("windows are aligned to the clock, in the zone's wall-clock time") {
    const base::TimeZone utc;
    CHECK(capture::window_start(k_t0 + 59 * k_s, 60 * k_s, utc) == k_t0);
    CHECK(capture::window_start(k_t0 + 60 * k_s, 60 * k_s, utc) == k_t0 + 60 * k_s);
    CHECK(capture::window_start(k_t0 - 1, 3600 * k_s, utc) == k_t0 - 3600 * k_s);
    CHECK(capture::window_start(k_t0 + 25 * 60 * k_s, 3600 * k_s, utc) == k_t0);
    // Asia/Kolkata is UTC+05:30: its hours start at :30 UTC.
    auto kolkata = base::TimeZone::locate("Asia/Kolkata");
    REQUIRE(kolkata.ok());
    CHECK(capture::window_start(k_t0 + 25 * 60 * k_s, 3600 * k_s, *kolkata) ==
          k_t0 - 30 * 60 * k_s);
    CHECK(capture::window_start(k_t0 + 35 * 60 * k_s, 3600 * k_s, *kolkata) ==
          k_t0 + 30 * 60 * k_s);
    // A day starts at local midnight: 18:30 UTC the day before.
    CHECK(capture::window_start(k_t0, 86400 * k_s, *kolkata) ==
          k_t0 - (10 * 3600 + 5 * 3600 + 1800) * k_s);
}

TEST_CASE("aggregates per window, group and column; text counts only for last") {
    capture::WindowAggregator agg(60 * k_s, capture::k_all_aggs, base::TimeZone());
    const std::vector<std::string> a{"t/a"}, b{"t/b"};
    agg.add(k_t0 + 1 * k_s, a, "temperature", "20");
    agg.add(k_t0 + 2 * k_s, a, "temperature", "21.5");
    agg.add(k_t0 + 3 * k_s, a, "temperature", "19");
    agg.add(k_t0 + 3 * k_s, a, "board", "A");
    agg.add(k_t0 + 4 * k_s, b, "temperature", "\"30\"");  // not a number: last only
    agg.add(k_t0 + 61 * k_s, a, "temperature", "25");
    CHECK(agg.cell_names() ==
          std::vector<std::string>{"temperature_mean", "temperature_min", "temperature_max",
                                   "temperature_count", "temperature_last", "board_mean",
                                   "board_min", "board_max", "board_count", "board_last"});
    std::vector<std::pair<int64_t, std::vector<std::string>>> rows;
    auto collect = [&](const capture::WindowRow& r) {
        std::vector<std::string> cells = *r.group;
        cells.insert(cells.end(), r.cells.begin(), r.cells.end());
        rows.emplace_back(r.start_ns, cells);
    };
    CHECK_FALSE(agg.closed_by(k_t0 + 59 * k_s));
    agg.flush(k_t0 + 59 * k_s, collect);  // the first window has not ended
    CHECK(rows.empty());
    CHECK(agg.closed_by(k_t0 + 60 * k_s));
    agg.flush(k_t0 + 60 * k_s, collect);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].first == k_t0);
    CHECK(rows[0].second == std::vector<std::string>{"t/a", "20.166666666666668", "19", "21.5", "3",
                                                     "19", "", "", "", "0", "A"});
    CHECK(rows[1].second ==
          std::vector<std::string>{"t/b", "", "", "", "0", "\"30\"", "", "", "", "0", ""});
    agg.flush(k_all, collect);
    REQUIRE(rows.size() == 3);
    CHECK(rows[2].first == k_t0 + 60 * k_s);
    CHECK(rows[2].second[1] == "25");
    CHECK_FALSE(agg.pending());
}

TEST_CASE("frozen columns: values of a later column are counted, not added") {
    capture::WindowAggregator agg(10 * k_s, {Agg::max}, base::TimeZone());
    agg.declare_columns({"x"});
    agg.freeze_columns();
    agg.add(k_t0, {}, "x", "1");
    agg.add(k_t0, {}, "y", "2");
    agg.add(k_t0, {}, "y", "3");
    CHECK(agg.cell_names() == std::vector<std::string>{"x_max"});
    CHECK(agg.dropped() == 2);
    CHECK(agg.first_dropped() == "y");
}

TEST_CASE("WindowedCsv: a row per window and topic, a --fields key groups too") {
    auto fields = base::parse_field_list("ZbReceived.*,ZbReceived.*.Temperature");
    REQUIRE(fields.ok());
    capture::CsvStyle style(capture::TimeFormat::unix_s);
    style.eol = "\n";
    capture::WindowedCsv table(*fields, style, true, 60 * k_s, {Agg::mean, Agg::count});
    table.add(msg(k_t0 + k_s, "z",
                  R"({"ZbReceived":{"0x1":{"Temperature":20},"0x2":{"Temperature":10}}})"));
    table.add(msg(k_t0 + 2 * k_s, "z", R"({"ZbReceived":{"0x1":{"Temperature":22}}})"));
    table.add(msg(k_t0 + 3 * k_s, "z", "not json"));
    std::string out;
    table.header(out);
    CHECK(table.flush(k_all, out) == 2);
    CHECK(out ==
          "timestamp,topic,ZbReceived.*,ZbReceived.*.Temperature_mean,ZbReceived.*.Temperature_"
          "count\n"
          "1795168800,z,0x1,21,2\n"
          "1795168800,z,0x2,10,1\n");
}

TEST_CASE("WindowedCsv: default columns, --no-topic puts all topics in one row") {
    capture::CsvStyle style(capture::TimeFormat::iso);
    style.eol = "\n";
    capture::WindowedCsv table({}, style, false, 60 * k_s, {Agg::max, Agg::last});
    table.add(msg(k_t0 + k_s, "a", R"({"v":1,"s":{"t":"x"}})"));
    table.add(msg(k_t0 + 2 * k_s, "b", R"({"v":3})"));
    table.add(msg(k_t0 + 3 * k_s, "c", "text, with comma"));
    std::string out;
    table.header(out);
    table.flush(k_all, out);
    CHECK(out ==
          "timestamp,v_max,v_last,s.t_max,s.t_last,payload_max,payload_last\n"
          "2026-11-20T10:00:00.000000Z,3,3,,x,,\"text, with comma\"\n");
}

TEST_CASE("rolling means of the last N numeric readings, per topic and field") {
    capture::RollingMeans rolling(3);
    auto line = [&](const char* topic, const char* payload) {
        std::string out = R"({"topic":"x"})";
        rolling.append_to_line(msg(0, topic, payload), out);
        return out;
    };
    CHECK(line("a", R"({"t":10,"s":"on"})") == R"({"topic":"x","rolling":{"t":10}})");
    CHECK(line("a", R"({"t":20})") == R"({"topic":"x","rolling":{"t":15}})");
    CHECK(line("b", R"({"t":100})") == R"({"topic":"x","rolling":{"t":100}})");
    CHECK(line("a", R"({"t":"30","x":{"y":1}})") == R"({"topic":"x","rolling":{"t":20,"x.y":1}})");
    CHECK(line("a", R"({"t":40})") == R"({"topic":"x","rolling":{"t":30}})");  // 20, 30, 40
    CHECK(line("a", "plain") == R"({"topic":"x","rolling":{}})");
}
