#include <doctest/doctest.h>

#include "core/base/timestamps.h"
#include "core/capture/replay_runner.h"

using namespace iotctl;

namespace {

constexpr int64_t k_ms = 1'000'000;

// Messages from memory.
struct VectorSource : capture::MessageSource {
    std::vector<base::Message> items;
    size_t at = 0;
    base::Result<bool> next(base::Message& out) override {
        if (at == items.size()) return false;
        out = items[at++];
        return true;
    }
};

// A clock that jumps to whatever time is slept until, plus a fixed lateness.
struct FakeClock : capture::ReplayClock {
    int64_t now = 1000 * k_ms;
    int64_t late = 0;
    std::vector<int64_t> sleeps;
    int64_t now_ns() override { return now; }
    bool sleep_until(int64_t t) override {
        sleeps.push_back(t);
        now = t + late;
        return true;
    }
    bool stop_requested() override { return false; }
};

struct FakePublisher : capture::Publisher {
    std::vector<base::Message> sent;
    std::vector<int64_t> at;
    FakeClock* clock = nullptr;
    bool flushed = false;
    base::Status publish(const base::Message& m) override {
        sent.push_back(m);
        at.push_back(clock->now);
        return {};
    }
    base::Status flush() override {
        flushed = true;
        return {};
    }
};

base::Message at(int64_t ts_ms, std::string topic = "t/x") {
    base::Message m;
    m.topic = std::move(topic);
    m.ts_ns = 5'000'000 * k_ms + ts_ms * k_ms;
    m.qos = 1;
    return m;
}

capture::SourceFactory factory(std::vector<base::Message> items) {
    return [items]() -> base::Result<std::unique_ptr<capture::MessageSource>> {
        auto s = std::make_unique<VectorSource>();
        s->items = items;
        return std::unique_ptr<capture::MessageSource>(std::move(s));
    };
}

}  // namespace

TEST_CASE("replay sends at start + scaled recorded offsets, even when each send is late") {
    FakeClock clock;
    clock.late = 3 * k_ms;  // every wake-up 3 ms late: the schedule must not drift
    FakePublisher pub;
    pub.clock = &clock;
    capture::ReplayOptions opts;
    opts.timing.speed = 2;
    auto stats =
        capture::run_replay(factory({at(0), at(100), at(300), at(2300)}), pub, clock, opts, {});
    REQUIRE(stats.ok());
    const int64_t start = 1000 * k_ms;
    CHECK(clock.sleeps ==
          std::vector<int64_t>{start + 50 * k_ms, start + 150 * k_ms, start + 1150 * k_ms});
    CHECK(stats->sent == 4);
    CHECK(stats->max_late_ns == 3 * k_ms);
    CHECK(pub.flushed);
}

// A clock whose wake-ups are late by the next value of `lateness` each time.
struct VaryingClock : FakeClock {
    std::vector<int64_t> lateness;
    size_t next = 0;
    bool sleep_until(int64_t t) override {
        now = t + lateness[next++ % lateness.size()];
        return true;
    }
};

TEST_CASE("replay reports the 99th percentile of its lateness as well as the worst") {
    VaryingClock clock;
    // 200 sends after the first: 196 on time (0.05 ms late), 2 at 1.5 ms, 1 at 4 ms, 1 at 20 ms.
    for (int i = 0; i < 196; ++i) clock.lateness.push_back(k_ms / 20);
    clock.lateness.insert(clock.lateness.end(), {3 * k_ms / 2, 3 * k_ms / 2, 4 * k_ms, 20 * k_ms});
    FakePublisher pub;
    pub.clock = &clock;
    capture::ReplayOptions opts;
    opts.timing.speed = 1;
    std::vector<base::Message> items;
    for (int i = 0; i <= 200; ++i) items.push_back(at(10 * i));
    auto stats = capture::run_replay(factory(items), pub, clock, opts, {});
    REQUIRE(stats.ok());
    CHECK(stats->max_late_ns == 20 * k_ms);
    // 201 samples (the first is on time): the 99th percentile is the 199th smallest, 1.5 ms,
    // reported as the top of its 10 us step.
    CHECK(stats->p99_late_ns == 3 * k_ms / 2 + 10'000);
}

TEST_CASE("replay rewrites, overrides, loops, and skips (counts) invalid topics") {
    FakeClock clock;
    FakePublisher pub;
    pub.clock = &clock;
    capture::ReplayOptions opts;
    opts.timing.speed = 0;
    opts.loops = 2;
    opts.rewrites = {capture::TopicRewrite{"t/", "u/"}, capture::TopicRewrite{"", "pre/"}};
    opts.qos = 0;
    opts.retain = true;
    auto stats = capture::run_replay(factory({at(0), at(10, "other"), at(20, "t/+bad")}), pub,
                                     clock, opts, {});
    REQUIRE(stats.ok());
    CHECK(stats->sent == 4);
    CHECK(stats->skipped == 2);
    CHECK(stats->passes == 2);
    CHECK(clock.sleeps.empty());
    REQUIRE(pub.sent.size() == 4);
    CHECK(pub.sent[0].topic == "u/x");
    CHECK(pub.sent[1].topic == "pre/other");
    CHECK((pub.sent[0].qos == 0 && pub.sent[0].retain));
}

TEST_CASE("replay stops at a bad record with its error") {
    FakeClock clock;
    FakePublisher pub;
    pub.clock = &clock;
    capture::SourceFactory bad = []() -> base::Result<std::unique_ptr<capture::MessageSource>> {
        return base::runtime_error("capture 'x' line 3: invalid JSON at byte 9");
    };
    auto stats = capture::run_replay(bad, pub, clock, capture::ReplayOptions{}, {});
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().message == "capture 'x' line 3: invalid JSON at byte 9");
}

TEST_CASE("replay names every reason it skipped messages for, with counts") {
    FakeClock clock;
    FakePublisher pub;
    pub.clock = &clock;
    capture::ReplayOptions opts;
    opts.timing.speed = 0;
    auto stats = capture::run_replay(
        factory({at(0, std::string("nul\0x", 5)), at(1, std::string(80002, 'a')),
                 at(2,
                    "bad\xff"
                    "utf8"),
                 at(3, "ok"), at(4, "wild/+"), at(5, ""), at(6, std::string("nul\0y", 5))}),
        pub, clock, opts, {});
    REQUIRE(stats.ok());
    CHECK(stats->sent == 1);
    CHECK(stats->skipped == 6);
    CHECK(capture::describe_skipped(*stats) ==
          "topic is empty (1); topic is longer than MQTT's limit of 65,535 bytes (1); topic "
          "contains a NUL character (2); topic is not valid UTF-8 (1); topic contains a wildcard "
          "(+ or #), not allowed when publishing (1)");
}
