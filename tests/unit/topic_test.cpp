// Topic names and filters: validation (exact messages) and matching, including $share and $SYS.
#include <doctest/doctest.h>

#include "core/topic.h"

using namespace iotctl;

TEST_CASE("topic filters: valid ones pass") {
    for (const char* f : {"a", "a/b", "+", "#", "a/+/c", "a/#", "+/+/#", "/", "a//b",
                          "$share/g/a/#", "$SYS/#", "$share/grp/+"})
        CHECK_MESSAGE(validate_topic_filter(f).ok(), f);
}

TEST_CASE("topic filters: bad ones name the problem") {
    CHECK(validate_topic_filter("a/#/b").error().message ==
          "invalid topic filter 'a/#/b': '#' must be a whole level and the last one");
    CHECK(validate_topic_filter("sport+").error().message ==
          "invalid topic filter 'sport+': '+' must be a whole level");
    CHECK(validate_topic_filter("a/b#").error().code == ExitCode::usage);
    CHECK(validate_topic_filter("").error().message == "topic filter is empty");
    CHECK(validate_topic_filter("bad\xff").error().message == "topic filter is not valid UTF-8");
    CHECK(validate_topic_filter(std::string("a\0b", 3)).error().message ==
          "topic filter contains a NUL character");
    CHECK(validate_topic_filter("$share/g").error().message ==
          "invalid topic filter '$share/g': expected $share/<group>/<filter>");
    CHECK(validate_topic_filter("$share//a").ok() == false);
    CHECK(validate_topic_filter("$share/g+/a").error().message ==
          "invalid topic filter '$share/g+/a': share group name may not contain + or #");
    CHECK(validate_topic_filter(std::string(65536, 'a')).error().message ==
          "topic filter is longer than 65535 bytes");
}

TEST_CASE("topic names: no wildcards") {
    CHECK(validate_topic_name("a/b/c").ok());
    CHECK(validate_topic_name("hexaboard/A/sensor/data").ok());
    CHECK(validate_topic_name("a/+").error().message ==
          "invalid topic 'a/+': wildcards are not allowed when publishing");
    CHECK(validate_topic_name("#").ok() == false);
    CHECK(validate_topic_name("").error().message == "topic is empty");
    CHECK(validate_topic_name("\xc3\x28").error().message == "topic is not valid UTF-8");
}

TEST_CASE("matching") {
    CHECK(topic_matches("a/+/c", "a/b/c"));
    CHECK_FALSE(topic_matches("a/+/c", "a/b/d"));
    CHECK_FALSE(topic_matches("a/+/c", "a/b/c/d"));
    CHECK(topic_matches("a/+", "a/"));  // an empty level is a level
    CHECK_FALSE(topic_matches("a/+", "a"));
    CHECK(topic_matches("a/#", "a"));
    CHECK(topic_matches("a/#", "a/b/c"));
    CHECK(topic_matches("#", "a/b"));
    CHECK(topic_matches("+/+", "/a"));
    CHECK_FALSE(topic_matches("a/b", "a/b/c"));
    CHECK_FALSE(topic_matches("a/b/c", "a/b"));
    CHECK(topic_matches("a//b", "a//b"));
    CHECK_FALSE(topic_matches("#", "$SYS/broker"));
    CHECK_FALSE(topic_matches("+/broker", "$SYS/broker"));
    CHECK(topic_matches("$SYS/#", "$SYS/broker/uptime"));
    CHECK(topic_matches("$share/g/tele/+/SENSOR", "tele/gw1/SENSOR"));
    CHECK(strip_share_prefix("$share/g/a/#") == "a/#");
    CHECK(strip_share_prefix("a/#") == "a/#");
    CHECK(any_filter_matches({"x/#", "tele/+/LWT"}, "tele/gw/LWT"));
    CHECK_FALSE(any_filter_matches({"x/#"}, "y"));
}

TEST_CASE("levels") {
    auto levels = topic_levels("a//b/");
    REQUIRE(levels.size() == 4);
    CHECK(levels[0] == "a");
    CHECK(levels[1] == "");
    CHECK(levels[2] == "b");
    CHECK(levels[3] == "");
}
