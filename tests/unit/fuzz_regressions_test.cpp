// Inputs the fuzzers in fuzz/ found to crash (UBSan), kept as plain unit tests.
#include <doctest/doctest.h>

#include "core/base/message_json.h"
#include "core/base/timestamps.h"
#include "core/capture/output_format.h"

using namespace iotctl;

TEST_CASE("times beyond the int64 nanosecond range are errors, not overflows") {
    CHECK_FALSE(base::parse_iso8601("4052-11-20T10:00:00Z").ok());
    CHECK_FALSE(base::parse_iso8601("9999-12-31T23:59:59Z").ok());
    auto last = base::parse_iso8601("2262-01-01T00:00:00Z");
    REQUIRE(last.ok());
    CHECK(*last == 9214646400LL * 1000000000);
    CHECK_FALSE(base::message_from_json(nlohmann::json::parse(R"({"topic":"a","ts":1e300})")).ok());
    CHECK_FALSE(
        base::message_from_json(nlohmann::json::parse(R"({"topic":"a","ts":-1e300})")).ok());
    auto ok = base::message_from_json(nlohmann::json::parse(R"({"topic":"a","ts":1732500000.5})"));
    REQUIRE(ok.ok());
    CHECK(ok->ts_ns == 1732500000500000000LL);
}

TEST_CASE("a -F width or precision with many digits is capped, not overflowed") {
    auto format = capture::OutputFormat::parse("%J666666666%6666666666666666p|%.99999999999999t");
    REQUIRE(format.ok());
    base::Message m;
    m.topic = "a/b";
    m.payload = "x";
    std::string out;
    format->render(m, out);
    CHECK(out.size() > 4096);
    CHECK(out.ends_with("x|a/b\n"));
}
