// Deterministic sensor readings for simulate-hexaboard: seeded random walks, one stream per device.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace iotctl::sim {

/// A 64-bit seed for one named stream of one device, stable across runs and machines.
uint64_t stream_seed(uint64_t seed, std::string_view device, std::string_view stream);

/// A seeded generator of uniform numbers; one per device and purpose.
class SimRandom {
  public:
    /// Seeds from the run seed, the device name and the purpose (e.g. "readings", "faults").
    SimRandom(uint64_t seed, std::string_view device, std::string_view stream);
    /// A uniform number in [0, 1).
    double uniform();
    /// A uniform number in [lo, hi).
    double between(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// True with probability p.
    bool chance(double p) { return uniform() < p; }

  private:
    std::mt19937_64 engine_;
};

/// One hexaboard reading (docs/payloads.md).
struct HexaboardReading {
    double temperature = 0;  // °C, one decimal
    double humidity = 0;     // %RH, one decimal
    int light = 0;           // raw light sensor value 0..4095
    bool led = false;
};

/// A plausible random walk of a board's temperature, humidity and light.
class HexaboardWalk {
  public:
    /// Starts a board's walk at seeded values.
    HexaboardWalk(uint64_t seed, std::string_view board);
    /// Advances the walk one step and returns the new reading (led as last set).
    HexaboardReading next();
    /// The reading as it stands now, without advancing the walk.
    HexaboardReading current() const;
    /// Sets the LED state reported from the next reading on.
    void set_led(bool on) { led_ = on; }

  private:
    SimRandom rng_;
    double temperature_, humidity_, light_;
    bool led_ = false;
};

/// The JSON of `hexaboard/<board>/sensor/data`, keys in the order of docs/payloads.md, plus `led`.
std::string hexaboard_payload(std::string_view board, const HexaboardReading& r, int64_t timestamp);

/// Rounds to one decimal, as the boards and Tasmota report.
double round1(double v);

/// Unix seconds as Tasmota's local-time string `YYYY-MM-DDTHH:MM:SS` (here: UTC).
std::string tasmota_time(int64_t unix_seconds);

/// Makes a payload invalid JSON by cutting off its tail (at least one byte, at most half).
std::string break_json(const std::string& payload, SimRandom& rng);

}  // namespace iotctl::sim
