#include <doctest/doctest.h>

#include <set>

#include "core/broker/receive_clock.h"

using namespace iotctl;

TEST_CASE("receive times stay within one lane width of the clock and in their lane") {
    broker::ReceiveClock clock(3);
    for (int64_t now : {int64_t{1'795'436'409'418'198'212}, int64_t{1'795'436'409'418'198'300}}) {
        int64_t t = clock.next(now);
        CHECK(t % broker::ReceiveClock::k_lanes == 3);
        CHECK(t > now - broker::ReceiveClock::k_lanes);
        CHECK(t < now + broker::ReceiveClock::k_lanes);
    }
}

TEST_CASE("receive times strictly increase even when the clock repeats or steps back") {
    broker::ReceiveClock clock(0);
    int64_t a = clock.next(1000);
    int64_t b = clock.next(1000);
    int64_t c = clock.next(990);
    CHECK(a < b);
    CHECK(b < c);
    CHECK(c % broker::ReceiveClock::k_lanes == 0);
}

TEST_CASE("two processes of a share group never stamp the same nanosecond") {
    // The collision seen in the share test: two processes read 1795436409418198212 at once.
    broker::ReceiveClock first(broker::receive_lane("iotctl-ingest-x", 1, true));
    broker::ReceiveClock third(broker::receive_lane("iotctl-ingest-x-3", 3, true));
    std::set<int64_t> seen;
    for (int64_t now = 1'795'436'409'418'198'000; now < 1'795'436'409'418'199'000; now += 7) {
        CHECK(seen.insert(first.next(now)).second);
        CHECK(seen.insert(third.next(now)).second);
    }
}

TEST_CASE("lanes: numbered slots count from 0, other ids hash stably") {
    CHECK(broker::receive_lane("any", 1, true) == 0);
    CHECK(broker::receive_lane("any", 4, true) == 3);
    CHECK(broker::receive_lane("ingest-a", 1, false) == broker::receive_lane("ingest-a", 1, false));
    CHECK(broker::receive_lane("ingest-a", 1, false) % 16 !=
          broker::receive_lane("ingest-b", 1, false) % 16);
}
