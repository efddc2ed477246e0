// Topic names and filters: validation (exact messages) and matching, including $share and $SYS.
#include <doctest/doctest.h>

#include "core/base/topic.h"

using namespace iotctl;

TEST_CASE("topic filters: valid ones pass") {
    for (const char* f : {"a", "a/b", "+", "#", "a/+/c", "a/#", "+/+/#", "/", "a//b",
                          "$share/g/a/#", "$SYS/#", "$share/grp/+"})
        CHECK_MESSAGE(base::validate_topic_filter(f).ok(), f);
}

TEST_CASE("topic filters: bad ones name the problem") {
    CHECK(base::validate_topic_filter("a/#/b").error().message ==
          "invalid topic filter 'a/#/b': '#' must be a whole level and the last one");
    CHECK(base::validate_topic_filter("sport+").error().message ==
          "invalid topic filter 'sport+': '+' must be a whole level");
    CHECK(base::validate_topic_filter("a/b#").error().code == base::ExitCode::usage);
    CHECK(base::validate_topic_filter("").error().message == "topic filter is empty");
    CHECK(base::validate_topic_filter("bad\xff").error().message ==
          "topic filter is not valid UTF-8");
    CHECK(base::validate_topic_filter(std::string("a\0b", 3)).error().message ==
          "topic filter contains a NUL character");
    CHECK(base::validate_topic_filter("$share/g").error().message ==
          "invalid topic filter '$share/g': expected $share/<group>/<filter>");
    CHECK(base::validate_topic_filter("$share//a").ok() == false);
    CHECK(base::validate_topic_filter("$share/g+/a").error().message ==
          "invalid topic filter '$share/g+/a': share group name may not contain + or #");
    CHECK(base::validate_topic_filter(std::string(65536, 'a')).error().message ==
          "topic filter is longer than MQTT's limit of 65,535 bytes");
}

TEST_CASE("topic names: no wildcards") {
    CHECK(base::validate_topic_name("a/b/c").ok());
    CHECK(base::validate_topic_name("hexaboard/A/sensor/data").ok());
    CHECK(base::validate_topic_name("a/+").error().message ==
          "invalid topic 'a/+': wildcards are not allowed when publishing");
    CHECK(base::validate_topic_name("#").ok() == false);
    CHECK(base::validate_topic_name("").error().message == "topic is empty");
    CHECK(base::validate_topic_name("\xc3\x28").error().message == "topic is not valid UTF-8");
    CHECK(base::validate_topic_name("a/+\x1b[2J").error().message ==
          "invalid topic 'a/+\\x1B[2J': wildcards are not allowed when publishing");
}

TEST_CASE("topic names: each problem is named for what it is") {
    using base::TopicProblem;
    const std::string long_topic(80002, 'a');
    CHECK(base::topic_name_problem("a/b") == TopicProblem::none);
    CHECK(base::topic_name_problem("") == TopicProblem::empty);
    CHECK(base::topic_name_problem(long_topic) == TopicProblem::too_long);
    CHECK(base::topic_name_problem(std::string(65535, 'a')) == TopicProblem::none);
    CHECK(base::topic_name_problem(std::string("a\0b", 3)) == TopicProblem::nul);
    CHECK(base::topic_name_problem("a\xff"
                                   "b") == TopicProblem::invalid_utf8);
    CHECK(base::topic_name_problem("a/#") == TopicProblem::wildcard);
    CHECK(base::topic_name_problem("a+b") == TopicProblem::wildcard);
    CHECK(base::validate_topic_name(long_topic).error().message ==
          "topic is longer than MQTT's limit of 65,535 bytes");
    CHECK(base::validate_topic_name(std::string("a\0b", 3)).error().message ==
          "topic contains a NUL character");
    CHECK(base::validate_topic_name("a\xff"
                                    "b")
              .error()
              .message == "topic is not valid UTF-8");
    CHECK(base::describe_topic_problem(TopicProblem::wildcard) ==
          "topic contains a wildcard (+ or #), not allowed when publishing");
}

TEST_CASE("matching") {
    CHECK(base::topic_matches("a/+/c", "a/b/c"));
    CHECK_FALSE(base::topic_matches("a/+/c", "a/b/d"));
    CHECK_FALSE(base::topic_matches("a/+/c", "a/b/c/d"));
    CHECK(base::topic_matches("a/+", "a/"));  // an empty level is a level
    CHECK_FALSE(base::topic_matches("a/+", "a"));
    CHECK(base::topic_matches("a/#", "a"));
    CHECK(base::topic_matches("a/#", "a/b/c"));
    CHECK(base::topic_matches("#", "a/b"));
    CHECK(base::topic_matches("+/+", "/a"));
    CHECK_FALSE(base::topic_matches("a/b", "a/b/c"));
    CHECK_FALSE(base::topic_matches("a/b/c", "a/b"));
    CHECK(base::topic_matches("a//b", "a//b"));
    CHECK_FALSE(base::topic_matches("#", "$SYS/broker"));
    CHECK_FALSE(base::topic_matches("+/broker", "$SYS/broker"));
    CHECK(base::topic_matches("$SYS/#", "$SYS/broker/uptime"));
    CHECK(base::topic_matches("$share/g/tele/+/SENSOR", "tele/gw1/SENSOR"));
    CHECK(base::strip_share_prefix("$share/g/a/#") == "a/#");
    CHECK(base::strip_share_prefix("a/#") == "a/#");
    CHECK(base::any_filter_matches({"x/#", "tele/+/LWT"}, "tele/gw/LWT"));
    CHECK_FALSE(base::any_filter_matches({"x/#"}, "y"));
}

TEST_CASE("levels") {
    auto levels = base::topic_levels("a//b/");
    REQUIRE(levels.size() == 4);
    CHECK(levels[0] == "a");
    CHECK(levels[1] == "");
    CHECK(levels[2] == "b");
    CHECK(levels[3] == "");
}
