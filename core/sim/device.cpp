#include "core/sim/device.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/base/payload.h"
#include "core/sim/readings.h"
#include "core/sim/tasmota.h"
#include "core/sim/tasmota_status.h"

namespace iotctl::sim {

namespace {

class HexaboardDevice : public SimDevice {
  public:
    HexaboardDevice(const std::string& name, uint64_t seed, const std::string& prefix)
        : SimDevice(name, prefixed_topic(prefix, "hexaboard/" + name + "/status"),
                    prefixed_topic(prefix, "hexaboard/" + name + "/control")),
          data_topic_(prefixed_topic(prefix, "hexaboard/" + name + "/sensor/data")),
          reply_topic_(prefixed_topic(prefix, "hexaboard/" + name + "/reply")),
          walk_(seed, name) {}
    std::string online_payload() const override { return "online"; }
    std::string offline_payload() const override { return "offline"; }
    std::vector<SimPublish> tick(int64_t unix_seconds) override {
        last_reading_ = hexaboard_payload(name(), walk_.next(), unix_seconds);
        return {{data_topic_, last_reading_}};
    }
    ControlCommand parse_command(const ControlRequest& request) const override {
        return parse_control(request.payload);
    }
    // {"get":"reading"}: the reading last published (as it was before any --faults breakage),
    // on the request's Response Topic with its Correlation Data, else on hexaboard/<id>/reply;
    // the request's "id" is echoed either way.
    std::vector<SimReply> answer(const ControlRequest& request, const ControlCommand& cmd,
                                 const SimAnswerContext& ctx) override {
        if (!cmd.get) return {};
        const std::string reading =
            last_reading_.empty() ? hexaboard_payload(name(), walk_.current(), ctx.unix_seconds)
                                  : last_reading_;
        auto body = nlohmann::ordered_json::parse(reading);
        if (cmd.id) body["id"] = *cmd.id;
        return {SimReply{request.response_topic.empty() ? reply_topic_ : request.response_topic,
                         body.dump(), request.correlation_data}};
    }
    void set_led(bool on) override { walk_.set_led(on); }

  private:
    std::string data_topic_, reply_topic_;
    HexaboardWalk walk_;
    std::string last_reading_;
};

// A Tasmota gateway: SENSOR (own climate sensor, then Zigbee devices) every cycle, STATE every
// fifth. Like real Tasmota it takes commands on `cmnd/<gw>/<Command>` (the name in any case):
// `TelePeriod <seconds>` sets its interval and `Status [N]` is answered on stat/<gw>/STATUS[N].
class TasmotaGateway : public SimDevice {
  public:
    TasmotaGateway(const std::string& name, uint64_t seed, const std::string& prefix)
        : SimDevice(name, prefixed_topic(prefix, "tele/" + name + "/LWT"),
                    prefixed_topic(prefix, "cmnd/" + name + "/+")),
          sensor_topic_(prefixed_topic(prefix, "tele/" + name + "/SENSOR")),
          state_topic_(prefixed_topic(prefix, "tele/" + name + "/STATE")),
          stat_prefix_(prefixed_topic(prefix, "stat/" + name + "/")),
          seed_(seed),
          walk_(seed, name) {}
    std::string online_payload() const override { return "Online"; }
    std::string offline_payload() const override { return "Offline"; }
    std::vector<SimPublish> tick(int64_t unix_seconds) override {
        if (cycles_ == 0) started_ = unix_seconds;
        std::vector<SimPublish> out;
        out.emplace_back(sensor_topic_, walk_.climate_payload(unix_seconds));
        out.emplace_back(sensor_topic_, walk_.zigbee_payload());
        if (cycles_ % 5 == 0)
            out.emplace_back(state_topic_,
                             walk_.state_payload(unix_seconds, unix_seconds - started_ + 1));
        ++cycles_;
        return out;
    }
    ControlCommand parse_command(const ControlRequest& request) const override {
        return parse_tasmota_command(request.topic, request.payload);
    }
    std::vector<SimReply> answer(const ControlRequest&, const ControlCommand& cmd,
                                 const SimAnswerContext& ctx) override {
        std::vector<SimReply> out;
        if (cmd.interval)  // as Tasmota confirms a setting: stat/<gw>/RESULT {"TelePeriod":N}
            out.push_back({stat_prefix_ + "RESULT",
                           fmt::format("{{\"TelePeriod\":{:g}}}", *cmd.interval),
                           {}});
        if (cmd.status) {
            GatewayFacts facts{name(), seed_, cycles_ ? started_ : ctx.unix_seconds, ctx};
            auto [suffix, payload] = tasmota_status(*cmd.status, facts, walk_);
            out.push_back({stat_prefix_ + suffix, std::move(payload), {}});
        }
        return out;
    }

  private:
    std::string sensor_topic_, state_topic_, stat_prefix_;
    uint64_t seed_;
    GatewayWalk walk_;
    uint64_t cycles_ = 0;
    int64_t started_ = 0;
};

}  // namespace

std::vector<std::string> default_device_names(SimProfile profile, size_t count) {
    std::vector<std::string> names;
    names.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        if (profile == SimProfile::tasmota) {
            names.push_back(fmt::format("gw-{}", i + 1));
            continue;
        }
        std::string name;  // spreadsheet columns: A..Z, AA..AZ, BA...
        for (size_t n = i + 1; n > 0; n = (n - 1) / 26)
            name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
        names.push_back(std::move(name));
    }
    return names;
}

base::Result<std::vector<std::string>> parse_device_names(const std::string& list) {
    std::vector<std::string> names;
    std::set<std::string> seen;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = std::min(list.find(',', start), list.size());
        std::string name = list.substr(start, comma - start);
        if (name.empty()) return base::usage_error(fmt::format("--boards '{}': empty name", list));
        if (name.find_first_of("/+# \t") != std::string::npos)
            return base::usage_error(
                fmt::format("--boards: name '{}' must not contain '/', '+', '#' or spaces", name));
        if (!seen.insert(name).second)
            return base::usage_error(fmt::format("--boards: '{}' is named twice", name));
        names.push_back(std::move(name));
        start = comma + 1;
    }
    return names;
}

std::string prefixed_topic(const std::string& prefix, const std::string& topic) {
    if (prefix.empty()) return topic;
    if (prefix.back() == '/') return prefix + topic;
    return prefix + "/" + topic;
}

std::unique_ptr<SimDevice> make_sim_device(SimProfile profile, const std::string& name,
                                           uint64_t seed, const std::string& prefix) {
    if (profile == SimProfile::tasmota) return std::make_unique<TasmotaGateway>(name, seed, prefix);
    return std::make_unique<HexaboardDevice>(name, seed, prefix);
}

}  // namespace iotctl::sim
