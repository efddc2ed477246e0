#include "core/sim/readings.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include <nlohmann/json.hpp>

namespace iotctl::sim {

namespace {

// FNV-1a: a fixed hash (std::hash may differ between library versions).
uint64_t fnv1a(std::string_view text, uint64_t h = 1469598103934665603ULL) {
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

// splitmix64 finaliser: spreads nearby seeds far apart.
uint64_t mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

double clamp_walk(double v, double lo, double hi) {
    return std::clamp(v, lo, hi);
}

}  // namespace

uint64_t stream_seed(uint64_t seed, std::string_view device, std::string_view stream) {
    uint64_t h = fnv1a(device);
    h = fnv1a("/", h);
    h = fnv1a(stream, h);
    return mix(seed ^ mix(h));
}

SimRandom::SimRandom(uint64_t seed, std::string_view device, std::string_view stream)
    : engine_(stream_seed(seed, device, stream)) {}

double SimRandom::uniform() {
    // 53 random bits -> [0, 1): the same on every platform, unlike uniform_real_distribution.
    return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0);
}

HexaboardWalk::HexaboardWalk(uint64_t seed, std::string_view board)
    : rng_(seed, board, "readings") {
    temperature_ = rng_.between(19.0, 27.0);
    humidity_ = rng_.between(35.0, 65.0);
    light_ = rng_.between(200.0, 900.0);
}

HexaboardReading HexaboardWalk::next() {
    temperature_ = clamp_walk(temperature_ + rng_.between(-0.3, 0.3), -10.0, 45.0);
    humidity_ = clamp_walk(humidity_ + rng_.between(-1.0, 1.0), 5.0, 95.0);
    light_ = clamp_walk(light_ + rng_.between(-40.0, 40.0), 0.0, 4095.0);
    return current();
}

HexaboardReading HexaboardWalk::current() const {
    return HexaboardReading{round1(temperature_), round1(humidity_),
                            static_cast<int>(std::lround(light_)), led_};
}

std::string hexaboard_payload(std::string_view board, const HexaboardReading& r,
                              int64_t timestamp) {
    nlohmann::ordered_json j;
    j["board"] = board;
    j["temperature"] = r.temperature;
    j["humidity"] = r.humidity;
    j["light"] = r.light;
    j["timestamp"] = timestamp;
    j["led"] = r.led ? "on" : "off";
    return j.dump();
}

double round1(double v) {
    return std::round(v * 10.0) / 10.0;
}

std::string tasmota_time(int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return buf;
}

std::string break_json(const std::string& payload, SimRandom& rng) {
    if (payload.size() < 2) return "{";
    size_t max_cut = std::max<size_t>(1, payload.size() / 2);
    size_t cut = 1 + static_cast<size_t>(rng.uniform() * static_cast<double>(max_cut));
    cut = std::min(cut, max_cut);
    return payload.substr(0, payload.size() - cut);
}

}  // namespace iotctl::sim
