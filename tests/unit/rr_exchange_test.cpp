// `rr`: how a request is made to carry its token, which messages count as its reply, what is
// counted as ignored, and the round-trip statistics.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/capture/rr_exchange.h"
#include "core/capture/rr_latency.h"

using namespace iotctl;
using capture::RrVerdict;

namespace {
base::Message reply(std::string payload, std::string correlation = {}, bool retain = false) {
    base::Message m;
    m.topic = "hexaboard/A/reply";
    m.payload = std::move(payload);
    m.correlation_data = std::move(correlation);
    m.retain = retain;
    return m;
}
}  // namespace

TEST_CASE("rr: MQTT 5 matches on Correlation Data and ignores other requests' replies") {
    capture::RrMatchSpec spec{true, ""};
    auto r = capture::make_rr_request("hexaboard/A/control", "hexaboard/A/reply",
                                      R"({"get":"reading"})", spec, "tok1")
                 .take();
    CHECK(r.payload == R"({"get":"reading"})");  // the payload is sent as given
    CHECK(r.correlation_data == "tok1");
    CHECK(capture::judge_reply(reply("{}", "tok1"), r, spec) == RrVerdict::reply);
    CHECK(capture::judge_reply(reply("{}", "tok0"), r, spec) == RrVerdict::other_correlation);
    CHECK(capture::judge_reply(reply("{}"), r, spec) == RrVerdict::no_correlation);
    CHECK(capture::judge_reply(reply("{}", "tok1", true), r, spec) == RrVerdict::retained);
}

TEST_CASE("rr: --match-path writes a fresh value into the request and wants it echoed") {
    capture::RrMatchSpec spec{false, "id"};
    auto r = capture::make_rr_request("t/req", "t/rep", R"({"get":"reading"})", spec, "abc").take();
    CHECK(r.payload == R"({"get":"reading","id":"abc"})");  // key order kept, id appended
    CHECK(r.correlation_data.empty());
    CHECK(capture::judge_reply(reply(R"({"id":"abc","t":1})"), r, spec) == RrVerdict::reply);
    CHECK(capture::judge_reply(reply(R"({"id":"abd"})"), r, spec) == RrVerdict::other_match_value);
    CHECK(capture::judge_reply(reply(R"({"id":7})"), r, spec) == RrVerdict::other_match_value);
    CHECK(capture::judge_reply(reply(R"({"t":1})"), r, spec) == RrVerdict::no_match_field);
    CHECK(capture::judge_reply(reply("online"), r, spec) == RrVerdict::not_json);
}

TEST_CASE("rr: --match-path nested, replacing a value, and from an empty payload") {
    capture::RrMatchSpec spec{false, "meta.request_id"};
    auto r =
        capture::make_rr_request("a", "b", R"({"meta":{"request_id":"old"},"x":1})", spec, "n1")
            .take();
    CHECK(nlohmann::json::parse(r.payload) ==
          nlohmann::json::parse(R"({"meta":{"request_id":"n1"},"x":1})"));
    CHECK(capture::judge_reply(reply(R"({"meta":{"request_id":"n1"}})"), r, spec) ==
          RrVerdict::reply);
    auto empty =
        capture::make_rr_request("a", "b", "", capture::RrMatchSpec{false, "$.id"}, "z").take();
    CHECK(empty.payload == R"({"id":"z"})");
}

TEST_CASE("rr: --match-path refuses what it cannot fill") {
    capture::RrMatchSpec spec{false, "id"};
    CHECK(capture::make_rr_request("a", "b", "not json", spec, "t").error().code ==
          base::ExitCode::usage);
    CHECK(capture::make_rr_request("a", "b", "[1,2]", spec, "t").error().code ==
          base::ExitCode::usage);
    CHECK(capture::make_rr_request("a", "b", R"({"m":5})", capture::RrMatchSpec{false, "m.id"}, "t")
              .error()
              .code == base::ExitCode::usage);
    CHECK_FALSE(capture::check_match_path(""));
    CHECK_FALSE(capture::check_match_path("a..b"));
    CHECK_FALSE(capture::check_match_path("a.*"));
    CHECK(capture::check_match_path("a.b"));
}

TEST_CASE("rr: without properties or --match-path the first fresh message is the reply") {
    capture::RrMatchSpec spec{false, ""};
    auto r = capture::make_rr_request("cmnd/gw/Status", "stat/gw/STATUS0", "0", spec, "t").take();
    CHECK(capture::judge_reply(reply("{}"), r, spec) == RrVerdict::reply);
    CHECK(capture::judge_reply(reply("{}", "", true), r, spec) == RrVerdict::retained);
}

TEST_CASE("rr: its own request on a shared topic is not its reply") {
    capture::RrMatchSpec spec{true, "id"};
    auto r = capture::make_rr_request("t/x", "t/x", "{}", spec, "t1").take();
    base::Message echo = reply(r.payload, "t1");
    echo.topic = "t/x";
    echo.response_topic = "t/x";
    CHECK(capture::judge_reply(echo, r, spec) == RrVerdict::own_request);
    echo.response_topic.clear();  // the responder's answer may look the same but has none
    CHECK(capture::judge_reply(echo, r, spec) == RrVerdict::reply);
}

TEST_CASE("rr: ignored messages are counted by reason") {
    capture::RrIgnored ignored;
    CHECK(ignored.summary() == "no messages");
    ignored.add(RrVerdict::reply);  // not counted
    ignored.add(RrVerdict::other_correlation);
    ignored.add(RrVerdict::other_correlation);
    ignored.add(RrVerdict::retained);
    CHECK(ignored.total() == 3);
    CHECK(ignored.count(RrVerdict::other_correlation) == 2);
    CHECK(ignored.summary() == "3 messages (1 retained, 2 with other correlation data)");
}

TEST_CASE("rr: tokens are fresh") {
    auto a = capture::new_rr_token(), b = capture::new_rr_token();
    CHECK(a.size() == 16);
    CHECK(a != b);
}

TEST_CASE("rr: round-trip statistics by nearest rank") {
    auto s = capture::summarize_latencies({5, 1, 4, 2, 3, 10, 9, 8, 7, 6});
    CHECK(s.samples == 10);
    CHECK(s.min == 1);
    CHECK(s.p50 == 5);
    CHECK(s.p99 == 10);
    CHECK(s.max == 10);
    std::vector<double> many;
    for (int i = 1; i <= 200; ++i) many.push_back(i);
    auto m = capture::summarize_latencies(many);
    CHECK(m.p50 == 100);
    CHECK(m.p99 == 198);
    CHECK(capture::format_latency_summary(capture::summarize_latencies({1.5})) ==
          "min 1.50 ms, p50 1.50 ms, p99 1.50 ms, max 1.50 ms (1 round trip)");
    CHECK(capture::summarize_latencies({}).samples == 0);
}
