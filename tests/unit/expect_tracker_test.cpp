// `expect`: when the goal is met, and the timeout line's account of what arrived.
#include <doctest/doctest.h>

#include "core/capture/expect_tracker.h"

using namespace iotctl;

TEST_CASE("expect: a count of matches") {
    capture::ExpectTracker t({2, 0});
    t.seen("a/1", "x", false);
    CHECK_FALSE(t.satisfied());
    t.seen("a/1", "y", true);
    CHECK_FALSE(t.satisfied());
    CHECK(t.summary({"a/+"}) == "2 messages on a/+, 1 of 2 matched; last: y");
    t.seen("a/2", "z", true);
    CHECK(t.satisfied());
}

TEST_CASE("expect: distinct topics name the ones seen without a match, and how many are unseen") {
    capture::ExpectTracker t({1, 3});
    t.seen("hexaboard/A/status", "online", true);
    t.seen("hexaboard/A/status", "online", true);  // the same topic counts once
    t.seen("hexaboard/B/status", "online", true);
    t.seen("hexaboard/C/status", "offline", false);
    CHECK_FALSE(t.satisfied());
    CHECK(t.summary({"hexaboard/+/status"}) ==
          "4 messages on hexaboard/+/status, 2 of 3 topics matched (missing: hexaboard/C/status); "
          "last: offline");
    t.seen("hexaboard/C/status", "online", true);
    CHECK(t.satisfied());

    capture::ExpectTracker few({1, 3});
    few.seen("x/A", "online", true);
    CHECK(few.summary({"x/+", "y/#"}) ==
          "1 message on x/+, y/#, 1 of 3 topics matched (missing: 2 more topics not seen); "
          "last: online");
}

TEST_CASE("expect: nothing arrived, and the last payload is cut to 200 bytes") {
    capture::ExpectTracker none({1, 0});
    CHECK(none.summary({"t"}) == "0 messages on t, 0 of 1 matched");
    capture::ExpectTracker big({1, 0});
    big.seen("t", std::string(5000, 'x') + "\n", false);
    std::string s = big.summary({"t"});
    CHECK(s == "1 message on t, 0 of 1 matched; last: " + std::string(200, 'x') + "...");
}
