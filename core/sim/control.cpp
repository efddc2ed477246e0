#include "core/sim/control.h"

#include <cmath>

#include <fmt/format.h>

#include "core/base/payload.h"

namespace iotctl::sim {

namespace {

std::string shorten(std::string_view text) {
    constexpr size_t k_max = 60;
    std::string out(text.substr(0, k_max));
    if (text.size() > k_max) out += "...";
    return out;
}

void parse_led(const nlohmann::json& v, ControlCommand& cmd) {
    if (v.is_boolean()) {
        cmd.led = v.get<bool>();
    } else if (v.is_string() && (v == "on" || v == "ON" || v == "On")) {
        cmd.led = true;
    } else if (v.is_string() && (v == "off" || v == "OFF" || v == "Off")) {
        cmd.led = false;
    } else {
        cmd.problems.push_back(
            fmt::format("bad \"led\" value {}: expected \"on\" or \"off\"", shorten(v.dump())));
    }
}

void parse_interval(const nlohmann::json& v, ControlCommand& cmd) {
    if (v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() > 0 &&
        v.get<double>() <= 86400) {
        cmd.interval = v.get<double>();
    } else {
        cmd.problems.push_back(fmt::format(
            "bad \"interval\" value {}: expected seconds, 0 < S <= 86400", shorten(v.dump())));
    }
}

void parse_get(const nlohmann::json& v, ControlCommand& cmd) {
    if (v == "reading")
        cmd.get = "reading";
    else
        cmd.problems.push_back(
            fmt::format("bad \"get\" value {}: expected \"reading\"", shorten(v.dump())));
}

}  // namespace

ControlCommand parse_control(std::string_view payload) {
    ControlCommand cmd;
    auto parsed = base::parse_json_payload(payload);
    if (!parsed) {
        cmd.problems.push_back(fmt::format("not JSON: '{}'", shorten(payload)));
        return cmd;
    }
    if (!parsed->is_object()) {
        cmd.problems.push_back(fmt::format("not a JSON object: {}", shorten(parsed->dump())));
        return cmd;
    }
    for (const auto& [key, value] : parsed->items()) {
        if (key == "led")
            parse_led(value, cmd);
        else if (key == "interval")
            parse_interval(value, cmd);
        else if (key == "get")
            parse_get(value, cmd);
        else if (key == "id")
            cmd.id = value;  // any JSON value, echoed as it came
        else
            cmd.problems.push_back(fmt::format(
                "unknown command \"{}\" (known: led, interval, get, id)", shorten(key)));
    }
    if (parsed->empty()) cmd.problems.push_back("empty command {}");
    if (cmd.id && !cmd.get && !cmd.led && !cmd.interval)
        cmd.problems.push_back("\"id\" without a command");
    return cmd;
}

}  // namespace iotctl::sim
