#include <doctest/doctest.h>

#include "core/base/time_window.h"
#include "core/capture/replay_plan.h"

using namespace iotctl;

namespace {
constexpr int64_t k_s = 1'000'000'000;
constexpr int64_t k_now = 1795168800 * k_s;  // 2026-11-20T10:00:00Z
}  // namespace

TEST_CASE("time specs: ISO-8601, Unix seconds and relative to now") {
    CHECK(*base::parse_time_spec("2026-11-20T10:00:00Z", 0) == k_now);
    CHECK(*base::parse_time_spec("2026-11-20T11:00:00+01:00", 0) == k_now);
    CHECK(*base::parse_time_spec("2026-11-20", 0) == k_now - 10 * 3600 * k_s);
    CHECK(*base::parse_time_spec("2026-11-20T10:00:00.25Z", 0) == k_now + k_s / 4);
    CHECK(*base::parse_time_spec("1795168800", 0) == k_now);
    CHECK(*base::parse_time_spec("1795168800.5", 0) == k_now + k_s / 2);
    CHECK(*base::parse_time_spec("-90m", k_now) == k_now - 90 * 60 * k_s);
    CHECK(*base::parse_time_spec("-24h", k_now) == k_now - 24 * 3600 * k_s);
    CHECK(*base::parse_time_spec("-7d", k_now) == k_now - 7 * 86400 * k_s);
    CHECK(*base::parse_time_spec("-30s", k_now) == k_now - 30 * k_s);
    for (const char* bad :
         {"", "yesterday", "-5x", "-m", "90m", "2026-13-45", "12:00", "1e9", "--1d"}) {
        auto r = base::parse_time_spec(bad, k_now);
        CHECK_MESSAGE(!r.ok(), bad);
        if (!r.ok()) CHECK(r.error().code == base::ExitCode::usage);
    }
}

TEST_CASE("time window bounds are inclusive and checked") {
    auto w = base::make_time_window("1795168800", "-0s", k_now + 10 * k_s);
    REQUIRE(w.ok());
    CHECK(w->contains(k_now));
    CHECK(w->contains(k_now + 10 * k_s));
    CHECK_FALSE(w->contains(k_now - 1));
    CHECK_FALSE(w->contains(k_now + 10 * k_s + 1));
    CHECK(w->describe() == "from 2026-11-20T10:00:00Z to 2026-11-20T10:00:10Z");
    auto open = base::make_time_window("", "", k_now);
    CHECK(open->unbounded());
    CHECK(open->describe() == "from the start to the end");
    auto backwards = base::make_time_window("-1h", "-2h", k_now);
    REQUIRE_FALSE(backwards.ok());
    CHECK(backwards.error().message == "--from -1h is after --to -2h");
    CHECK(base::make_time_window("soon", "", k_now)
              .error()
              .message.rfind("--from: invalid time 'soon'", 0) == 0);
}

TEST_CASE("topic rewrite replaces a prefix; an empty FROM prepends") {
    std::vector<capture::TopicRewrite> rules{*capture::parse_topic_rewrite("tele/=staging/tele/"),
                                             *capture::parse_topic_rewrite("=copy/")};
    std::string t = "tele/gw/SENSOR";
    CHECK(capture::rewrite_topic(rules, t));
    CHECK(t == "staging/tele/gw/SENSOR");
    t = "hexaboard/A/status";
    CHECK(capture::rewrite_topic(rules, t));
    CHECK(t == "copy/hexaboard/A/status");
    std::string u = "a=b";
    CHECK(capture::parse_topic_rewrite("x=y=z")->to == "y=z");
    CHECK_FALSE(capture::parse_topic_rewrite("nothing").ok());
    CHECK_FALSE(capture::rewrite_topic({}, u));
}

TEST_CASE("schedule: offsets come from recorded times, scaled, never drifting") {
    capture::ReplaySchedule one({1.0, 0});
    int64_t t0 = k_now;
    CHECK(one.due_ns(t0) == 0);
    CHECK(one.due_ns(t0 + 50'000'000) == 50'000'000);
    CHECK(one.due_ns(t0 + 2 * k_s) == 2 * k_s);
    // A million messages 1 ms apart end exactly 1000 s after the start: no accumulated error.
    capture::ReplaySchedule many({1.0, 0});
    int64_t last = 0;
    for (int i = 0; i < 1'000'000; ++i) last = many.due_ns(t0 + int64_t{i} * 1'000'000);
    CHECK(last == 999'999'000'000);

    capture::ReplaySchedule twice({2.0, 0});
    twice.due_ns(t0);
    CHECK(twice.due_ns(t0 + 2 * k_s) == k_s);
    capture::ReplaySchedule fast({0, 0});
    fast.due_ns(t0);
    CHECK(fast.due_ns(t0 + 3600 * k_s) == 0);
    // A clock step back in the capture sends at once, never earlier than the previous one.
    capture::ReplaySchedule back({1.0, 0});
    back.due_ns(t0 + k_s);
    CHECK(back.due_ns(t0) == 0);
    CHECK(back.due_ns(t0 + 2 * k_s) == k_s);
}

TEST_CASE("schedule: --rate spaces messages; --loop passes follow each other after the gap") {
    capture::ReplaySchedule rated({0, 10});
    CHECK(rated.due_ns(0) == 0);
    CHECK(rated.due_ns(0) == 100'000'000);
    CHECK(rated.due_ns(0) == 200'000'000);
    capture::ReplaySchedule looped({1.0, 0});  // --loop-gap 1 s by default
    looped.due_ns(k_now);
    CHECK(looped.due_ns(k_now + k_s) == k_s);
    looped.next_pass();
    CHECK(looped.due_ns(k_now) == 2 * k_s);
    CHECK(looped.due_ns(k_now + k_s) == 3 * k_s);
    capture::ReplaySchedule gap({2.0, 0, k_s / 4});  // the gap is wall time, never scaled
    gap.due_ns(k_now);
    CHECK(gap.due_ns(k_now + k_s) == k_s / 2);
    gap.next_pass();
    CHECK(gap.due_ns(k_now) == k_s / 2 + k_s / 4);
}

TEST_CASE("schedule: a one-message capture loops once per --loop-gap, not as fast as it can") {
    capture::ReplaySchedule one({1.0, 0});
    std::vector<int64_t> due;
    for (int pass = 0; pass < 4; ++pass) {
        if (pass > 0) one.next_pass();
        due.push_back(one.due_ns(k_now));
    }
    CHECK(due == std::vector<int64_t>{0, k_s, 2 * k_s, 3 * k_s});
    capture::ReplaySchedule fast({0, 0});  // --speed 0: no waiting at all, gap included
    fast.due_ns(k_now);
    fast.next_pass();
    CHECK(fast.due_ns(k_now) == 0);
}
