// Mapping throughput per preset against its peer, a bare nlohmann::json::parse of the same
// payloads (the least any JSON mapping must do), measured in the same run. Built by mapping.sh.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/mapping/mapper.h"

using namespace iotctl;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Messages/s of a bare JSON parse over the payloads, `rounds` times.
double parse_rate(const std::vector<base::Message>& msgs, int rounds) {
    size_t sink = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r)
        for (const auto& m : msgs) sink += nlohmann::json::parse(m.payload, nullptr, false).size();
    double s = seconds_since(t0);
    if (sink == 42) std::puts("");
    return double(msgs.size()) * rounds / s;
}

// Messages/s of the preset's mapping (parse included) over the same payloads.
double map_rate(const mapping::Mapper& mapper, const std::vector<base::Message>& msgs, int rounds,
                size_t& records) {
    std::vector<base::Record> out;
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r)
        for (const auto& m : msgs) {
            out.clear();
            mapper.map(m, out);
            records += out.size();
        }
    return double(msgs.size()) * rounds / seconds_since(t0);
}

base::Message msg(std::string topic, std::string payload) {
    base::Message m;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    m.ts_ns = 1800000000000000000;
    return m;
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = argc > 1 ? std::stoi(argv[1]) : 20;
    std::vector<std::pair<std::string, std::vector<base::Message>>> sets;
    std::vector<base::Message> hexa, tasmota, generic;
    for (int i = 0; i < 10000; ++i) {
        char buf[200];
        std::snprintf(
            buf, sizeof buf,
            R"({"board":"%c","temperature":%.1f,"humidity":%d,"light":%d,"timestamp":%d})",
            "ABCDEFGH"[i % 8], 15 + (i % 150) / 10.0, 20 + i % 60, i % 1000, 1732500000 + i);
        hexa.push_back(msg(std::string("hexaboard/") + "ABCDEFGH"[i % 8] + "/sensor/data", buf));
        std::snprintf(buf, sizeof buf,
                      R"({"ZbReceived":{"0x%04X":{"Device":"0x%04X","Name":"Kitchen",)"
                      R"("Temperature":%.1f,"Humidity":%.1f,"Endpoint":1,"LinkQuality":%d}}})",
                      i % 50, i % 50, 18 + (i % 70) / 10.0, 40 + (i % 200) / 10.0, 60 + i % 60);
        tasmota.push_back(msg("tele/gw-livingroom/SENSOR", buf));
        std::snprintf(
            buf, sizeof buf,
            R"({"Producer":"smarthome","command":"sensor","temperature":%.1f,"humidity":%d})",
            18 + (i % 70) / 10.0, 30 + i % 40);
        generic.push_back(msg("webos/smarthome/info", buf));
    }
    sets.emplace_back("hexaboard", std::move(hexa));
    sets.emplace_back("tasmota", std::move(tasmota));
    sets.emplace_back("generic", std::move(generic));
    std::printf("%-10s %14s %14s %8s  (peer: nlohmann::json::parse of the same payloads)\n",
                "preset", "map msg/s", "parse msg/s", "ratio");
    bool ok = true;
    for (const auto& [name, msgs] : sets) {
        auto mapper = mapping::make_preset_mapper(name);
        if (!mapper) return std::fprintf(stderr, "%s\n", mapper.error().message.c_str()), 1;
        size_t records = 0;
        double parse = parse_rate(msgs, rounds);
        double map = map_rate(**mapper, msgs, rounds, records);
        std::printf("%-10s %14.0f %14.0f %7.2fx  (%zu records)\n", name.c_str(), map, parse,
                    map / parse, records);
        ok = ok && map >= 100000;
    }
    std::printf("target: >= 100000 msg/s per preset: %s\n", ok ? "met" : "NOT met");
    return ok ? 0 : 1;
}
