// `retained`: when a scan has seen every retained message, which filters it takes, and the
// listing it prints (no broker: the e2e tests drive the real one).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/broker/retained_scan.h"
#include "core/capture/retained_listing.h"

using namespace iotctl;

namespace {
constexpr int64_t k_s = 1'000'000'000;

base::Message msg(std::string topic, std::string payload, bool retain, int64_t ts_ns) {
    base::Message m;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    m.retain = retain;
    m.ts_ns = ts_ns;
    return m;
}
}  // namespace

TEST_CASE("retained scan: quiet only after SUBACK, then -W after the last retained message") {
    broker::RetainedScan scan(1.0);
    CHECK_FALSE(scan.quiet(100 * k_s));  // not subscribed yet: never done
    scan.subscribed(10 * k_s);
    CHECK_FALSE(scan.quiet(10 * k_s + k_s / 2));
    CHECK(scan.add(msg("a/1", "x", true, 10 * k_s + k_s * 9 / 10)));
    CHECK_FALSE(scan.quiet(11 * k_s + k_s / 2));  // 0.6 s after the message
    CHECK(scan.quiet(12 * k_s));                  // 1.1 s after it
    // A live (not retained) message neither counts nor extends the period.
    CHECK_FALSE(scan.add(msg("a/2", "live", false, 12 * k_s)));
    CHECK(scan.quiet(12 * k_s));
    CHECK(scan.messages().size() == 1);
}

TEST_CASE("retained scan: newest per topic, sorted; an empty retained payload removes a topic") {
    broker::RetainedScan scan(0.5);
    scan.subscribed(1);
    scan.add(msg("b", "1", true, 2));
    scan.add(msg("a", "2", true, 3));
    scan.add(msg("b", "3", true, 4));
    scan.add(msg("c", "4", true, 5));
    scan.add(msg("c", "", true, 6));
    auto seen = scan.messages();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].topic == "a");
    CHECK(seen[1].topic == "b");
    CHECK(seen[1].payload == "3");
}

TEST_CASE("retained filters: bad filter, $share, and '#' without --yes are usage errors") {
    using broker::check_retained_filters;
    CHECK(check_retained_filters({"a/#", "b/+/c"}, true, false).ok());
    CHECK(check_retained_filters({"#"}, false, false).ok());  // ls may look at everything
    auto all = check_retained_filters({"#"}, true, false);
    REQUIRE_FALSE(all.ok());
    CHECK(all.error().code == base::ExitCode::usage);
    CHECK(all.error().message.find("add --yes") != std::string::npos);
    CHECK_FALSE(check_retained_filters({"+/#"}, true, false).ok());
    CHECK(check_retained_filters({"#"}, true, true).ok());
    CHECK(check_retained_filters({"a/#/b"}, false, false).error().message ==
          "invalid topic filter 'a/#/b': '#' must be a whole level and the last one");
    CHECK(check_retained_filters({"$share/g/a"}, false, false).error().code ==
          base::ExitCode::usage);
    CHECK(check_retained_filters({}, false, false).error().code == base::ExitCode::usage);
}

TEST_CASE("retained listing: aligned text with size, expiry or '-', and printable first bytes") {
    auto a = msg("hexaboard/A/status", "online", true, 0);
    auto b = msg("x", std::string(100, 'z'), true, 0);
    b.message_expiry = "3597";
    auto c = msg("bin", std::string("\x01\xff", 2), true, 0);
    CHECK(capture::render_retained_text({a, b, c}) ==
          "hexaboard/A/status       6 B        -  online\n"
          "x                      100 B    3597s  " +
              std::string(40, 'z') + "...\n" +
              "bin                      2 B        -  \\x01\\xFF\n");
}

TEST_CASE("retained listing: --json lines are sub --json lines plus size and expires_in") {
    auto a = msg("t/a", R"({"v":1})", true, 0);
    a.qos = 1;
    auto b = msg("t/b", "on", true, 0);
    b.message_expiry = "60";
    std::string text = capture::render_retained_json({a, b});
    auto nl = text.find('\n');
    auto first = nlohmann::json::parse(text.substr(0, nl));
    auto second = nlohmann::json::parse(text.substr(nl + 1));
    CHECK(first["topic"] == "t/a");
    CHECK(first["payload"]["v"] == 1);
    CHECK(first["retain"] == true);
    CHECK(first["size"] == 7);
    CHECK_FALSE(first.contains("expires_in"));
    CHECK(second["expires_in"] == 60);
    CHECK(capture::topic_list({a, b}, 1) == "t/a and 1 more");
}
