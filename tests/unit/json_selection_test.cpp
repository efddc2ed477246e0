// JsonSelection: what `--where` decodes with simdjson finds, for every selected path, what the
// whole nlohmann document finds (the fixture payloads and hand-made edge cases).
#include <doctest/doctest.h>

#include "core/base/json_selection.h"
#include "core/base/payload.h"
#include "mapping_test_support.h"

using namespace iotctl;

namespace {

// Every node `path` names, dumped, in visiting order.
std::vector<std::string> found(const base::JsonPath& path, const nlohmann::json& doc) {
    std::vector<std::string> out;
    path.any_match(doc, doc, [&](const nlohmann::json& node) {
        out.push_back(node.dump());
        return false;
    });
    return out;
}

// Checks that the selection of `paths` finds in `payload` what the whole document finds.
void check_same(const std::vector<std::string>& paths, const std::string& payload) {
    base::JsonSelection selection;
    std::vector<base::JsonPath> compiled;
    for (const auto& p : paths) {
        auto path = base::JsonPath::parse(p);
        REQUIRE_MESSAGE(path.ok(), p);
        compiled.push_back(*path);
        selection.add(*path);
    }
    auto whole = base::parse_json_payload(payload);
    auto selected = selection.parse(payload);
    REQUIRE_MESSAGE(whole.has_value() == selected.has_value(), payload);
    if (!whole) return;
    for (const auto& path : compiled)
        CHECK_MESSAGE(found(path, *selected) == found(path, *whole), path.text()
                                                                         << " in " << payload);
}

}  // namespace

TEST_CASE("a selection finds what the whole document finds") {
    const std::string zigbee =
        R"({"ZbReceived":{"0x1A2B":{"Device":"0x1A2B","Name":"Door","Contact":true,"Battery":[3,"97"]},)"
        R"("0x3C4D":{"Device":"0x3C4D","Temperature":21.5}},"Time":"2024-11-25T10:00:00"})";
    check_same({"ZbReceived.*.Contact"}, zigbee);
    check_same({"ZbReceived.*.Name", "ZbReceived.*.Temperature", "Time"}, zigbee);
    check_same({"ZbReceived.*.Battery.1", "ZbReceived.0x1A2B.Battery.*"}, zigbee);
    check_same({"ZbReceived"}, zigbee);
    check_same({"$"}, zigbee);
    check_same({"Missing.path"}, zigbee);
    check_same({"a.1", "a.*.x"}, R"({"a":[{"x":1},{"y":2},3,[4]]})");
    check_same({"a.*", "a.2"}, R"({"a":[1,[2,3],{"b":null}]})");
    check_same({"a.b"}, R"({"a":"text","a":{"b":-0}})");  // the repeated member wins
    check_same({"a"}, R"({"a":{"b":1,"c":2},"a":{"d":3}})");
    check_same({"x.k.b", "x.*.c"}, R"({"x":{"k":{"b":1,"c":2},"k":{"c":3}}})");
    check_same({"n.*"}, R"({"n":[0,-1,18446744073709551615,1.5e300,-9223372036854775808]})");
    check_same({"big"}, R"({"big":18446744073709551616})");  // beyond uint64: nlohmann decides
    check_same({"s"}, R"({"s":"\u00e9\ud83d\ude00\u0000"})");
    check_same({"0", "*.k"}, R"([{"k":1},{"k":2}])");
    check_same({"x"}, "42");
    for (const auto& m : testing::fixture_messages())
        check_same({"temperature", "Wifi.RSSI", "ZbReceived.*.Contact", "*.*"}, m.payload);
}

TEST_CASE("a selection refuses what parse_json_payload refuses") {
    for (const std::string& bad :
         {std::string("{"), std::string("{\"a\":1}x"), std::string("{\"a\":\"\\ud800\"}"),
          std::string("{\"a\":\"\xff\"}"), std::string("nul\0l", 5), std::string("[1,]"),
          std::string()})
        check_same({"a"}, bad);
    check_same({"a"}, std::string(600, '[') + std::string(600, ']'));  // deeper than the limit
    // deeper than simdjson is allowed to go, within the limit: nlohmann decodes it
    check_same({"*.*"}, std::string(300, '[') + "1" + std::string(300, ']'));
}
