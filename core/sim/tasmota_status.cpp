#include "core/sim/tasmota_status.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/base/payload.h"
#include "core/sim/readings.h"

namespace iotctl::sim {

namespace {

using Json = nlohmann::ordered_json;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

std::string shorten(std::string_view s) {
    return std::string(s.substr(0, 60)) + (s.size() > 60 ? "..." : "");
}

// Unix seconds of the last Sunday of `month` in the year of `unix_seconds`, at `hour`:00 UTC.
int64_t last_sunday(int64_t unix_seconds, unsigned month, int hour) {
    using namespace std::chrono;
    const year y = year_month_day(floor<days>(sys_seconds(seconds(unix_seconds)))).year();
    const sys_days d(y / std::chrono::month(month) / Sunday[last]);
    return duration_cast<seconds>(d.time_since_epoch()).count() + hour * 3600;
}

Json section_status(const GatewayFacts& f) {
    return Json{{"Module", 75},  // Tasmota's "Sonoff ZbBridge"
                {"DeviceName", f.name},
                {"FriendlyName", Json::array({f.name})},
                {"Topic", f.name},
                {"ButtonTopic", "0"},
                {"Power", "0"},
                {"PowerLock", "0"},
                {"PowerOnState", 3},
                {"LedState", 1},
                {"LedMask", "FFFF"},
                {"SaveData", 1},
                {"SaveState", 1},
                {"SwitchTopic", "0"},
                {"SwitchMode", Json::array({0, 0, 0, 0, 0, 0, 0, 0})},
                {"ButtonRetain", 0},
                {"SwitchRetain", 0},
                {"SensorRetain", 0},
                {"PowerRetain", 0},
                {"InfoRetain", 0},
                {"StateRetain", 0},
                {"StatusRetain", 0}};
}

Json section_prm(const GatewayFacts& f) {
    const int64_t now = f.context.unix_seconds;
    return Json{{"Baudrate", 115200},
                {"SerialConfig", "8N1"},
                {"GroupTopic", "tasmotas"},
                {"OtaUrl", "http://ota.tasmota.com/tasmota/release/tasmota-zbbridge.bin.gz"},
                {"RestartReason", "Power On"},
                {"Uptime", tasmota_uptime(now - f.started + 1)},
                {"StartupUTC", tasmota_time(f.started)},
                {"Sleep", 50},
                {"CfgHolder", 4617},
                {"BootCount", 1 + f.seed % 40},
                {"BCResetTime", tasmota_time(f.started - 86400 * 30)},
                {"SaveCount", 10 + f.seed % 90},
                {"SaveAddress", "F9000"}};
}

Json section_fwr() {
    return Json{{"Version", "14.3.0(zbbridge)"},
                {"BuildDateTime", "2024-10-15T08:38:16"},
                {"Boot", 31},
                {"Core", "2_7_8"},
                {"SDK", "2.2.2-dev(38a443e)"},
                {"CpuFrequency", 160},
                {"Hardware", "ESP8266EX"},
                {"CR", "378/699"}};
}

Json section_log(const GatewayFacts& f) {
    return Json{{"SerialLog", 0},
                {"WebLog", 2},
                {"MqttLog", 0},
                {"SysLog", 0},
                {"LogHost", ""},
                {"LogPort", 514},
                {"SSId", Json::array({"home", ""})},
                {"TelePeriod", static_cast<int>(std::lround(f.context.interval))},
                {"Resolution", "558180C0"},
                {"SetOption", Json::array({"00008009", "2805C80001000600003C5A0A192800000000",
                                           "00000080", "40006000", "00004000", "00000000"})}};
}

Json section_mem(const GatewayWalk& walk) {
    return Json{
        {"ProgramSize", 645},
        {"Free", 1400},
        {"Heap", walk.state_now(0, 0)["Heap"]},
        {"ProgramFlashSize", 2048},
        {"FlashSize", 2048},
        {"FlashChipId", "1540A1"},
        {"FlashFrequency", 40},
        {"FlashMode", "DOUT"},
        {"Features", Json::array({"00000809", "8F9AC787", "04368001", "000000CF", "010013C0",
                                  "C000F981", "00004004", "00001000", "00000020"})},
        {"Drivers", "1,2,4,7,9,10,12,20,23,38,41,50,62"},
        {"Sensors", "1,2,3,5,6,7,8,9,10,26,31,40,42,43,51,52,55,56,58,59,64,68"}};
}

Json section_net(const GatewayFacts& f, const GatewayWalk&) {
    SimRandom rng(f.seed, f.name, "network");
    const int host = 10 + static_cast<int>(rng.between(0, 240));
    const int mac_tail = static_cast<int>(rng.between(0, 0xFFFFFF));
    return Json{{"Hostname", fmt::format("{}-{:04}", f.name, mac_tail & 0xFFF)},
                {"IPAddress", fmt::format("192.168.1.{}", host)},
                {"Gateway", "192.168.1.1"},
                {"Subnetmask", "255.255.255.0"},
                {"DNSServer1", "192.168.1.1"},
                {"DNSServer2", "0.0.0.0"},
                {"Mac", fmt::format("84:F3:EB:{:02X}:{:02X}:{:02X}", mac_tail >> 16,
                                    (mac_tail >> 8) & 0xFF, mac_tail & 0xFF)},
                {"Webserver", 2},
                {"HTTP_API", 1},
                {"WifiConfig", 4},
                {"WifiPower", 17.0}};
}

Json section_mqt(const GatewayFacts& f) {
    const auto& c = f.context;
    return Json{{"MqttHost", c.mqtt_host},
                {"MqttPort", c.mqtt_port},
                {"MqttClientMask", c.client_id},
                {"MqttClient", c.client_id},
                {"MqttUser", c.mqtt_user.empty() ? "DVES_USER" : c.mqtt_user},
                {"MqttCount", 1},
                {"MAX_PACKET_SIZE", 1200},
                {"KEEPALIVE", 30},
                {"SOCKET_TIMEOUT", 4}};
}

Json section_tim(const GatewayFacts& f) {
    const int64_t now = f.context.unix_seconds;
    return Json{{"UTC", tasmota_time(now)},
                {"Local", tasmota_time(now)},  // the simulated gateways keep UTC
                {"StartDST", tasmota_time(last_sunday(now, 3, 2))},
                {"EndDST", tasmota_time(last_sunday(now, 10, 3))},
                {"Timezone", "+00:00"}};
}

}  // namespace

ControlCommand parse_tasmota_command(std::string_view topic, std::string_view payload) {
    ControlCommand cmd;
    const std::string command = lower(topic.substr(topic.rfind('/') + 1));
    const std::string arg = trimmed(payload);
    if (command == "teleperiod") {
        auto parsed = base::parse_json_payload(arg);
        if (parsed && parsed->is_number() && parsed->get<double>() > 0 &&
            parsed->get<double>() <= 86400)
            cmd.interval = parsed->get<double>();
        else
            cmd.problems.push_back(fmt::format(
                "TelePeriod needs seconds (0 < S <= 86400), got '{}'", shorten(payload)));
    } else if (command == "status") {
        int n = -1;
        if (!arg.empty()) {
            n = -2;
            if (arg.size() <= 2 && std::all_of(arg.begin(), arg.end(), ::isdigit))
                n = std::stoi(arg);
        }
        if (n == -1 || (n >= 0 && n <= 11 && n != 9))
            cmd.status = n;
        else
            cmd.problems.push_back(
                fmt::format("Status takes nothing, 0 or 1..11 (no 9: no energy meter), got '{}'",
                            shorten(payload)));
    } else {
        cmd.problems.push_back(fmt::format(
            "unknown command '{}' (this gateway knows TelePeriod and Status)", shorten(command)));
    }
    return cmd;
}

std::pair<std::string, std::string> tasmota_status(int n, const GatewayFacts& f,
                                                   const GatewayWalk& walk) {
    const int64_t now = f.context.unix_seconds;
    const int64_t uptime = now - f.started + 1;
    Json sns = walk.climate_now(now);
    Json sts = walk.state_now(now, uptime);
    switch (n) {
        case -1:
            return {"STATUS", Json{{"Status", section_status(f)}}.dump()};
        case 1:
            return {"STATUS1", Json{{"StatusPRM", section_prm(f)}}.dump()};
        case 2:
            return {"STATUS2", Json{{"StatusFWR", section_fwr()}}.dump()};
        case 3:
            return {"STATUS3", Json{{"StatusLOG", section_log(f)}}.dump()};
        case 4:
            return {"STATUS4", Json{{"StatusMEM", section_mem(walk)}}.dump()};
        case 5:
            return {"STATUS5", Json{{"StatusNET", section_net(f, walk)}}.dump()};
        case 6:
            return {"STATUS6", Json{{"StatusMQT", section_mqt(f)}}.dump()};
        case 7:
            return {"STATUS7", Json{{"StatusTIM", section_tim(f)}}.dump()};
        case 8:
            return {"STATUS8", Json{{"StatusSNS", sns}}.dump()};
        case 10:
            return {"STATUS10", Json{{"StatusSNS", sns}}.dump()};
        case 11:
            return {"STATUS11", Json{{"StatusSTS", sts}}.dump()};
        default:
            break;
    }
    // Status 0: every section in one message, in Tasmota's order.
    Json all;
    all["Status"] = section_status(f);
    all["StatusPRM"] = section_prm(f);
    all["StatusFWR"] = section_fwr();
    all["StatusLOG"] = section_log(f);
    all["StatusMEM"] = section_mem(walk);
    all["StatusNET"] = section_net(f, walk);
    all["StatusMQT"] = section_mqt(f);
    all["StatusTIM"] = section_tim(f);
    all["StatusSNS"] = std::move(sns);
    all["StatusSTS"] = std::move(sts);
    return {"STATUS0", all.dump()};
}

}  // namespace iotctl::sim
