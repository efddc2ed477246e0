// When each simulated device reports: a seeded, jittered timetable on a virtual clock. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

#include "core/sim/readings.h"

namespace iotctl::sim {

/// One reporting slot: which device, and when (seconds after the run started).
struct SimSlot {
    size_t device = 0;
    double at = 0;
};

/// The timetable of every device. Device i first reports at interval * i / n (spreading the load),
/// then every interval * (1 ± jitter * u), u uniform from the device's own seeded stream.
class SimSchedule {
  public:
    /// `names` seed each device's jitter stream; `jitter` is a fraction in [0, 1).
    SimSchedule(const std::vector<std::string>& names, double interval, double jitter,
                uint64_t seed);
    /// The next slot due (earliest time; ties by device index).
    SimSlot peek() const { return heap_.top().slot; }
    /// Takes the next slot and books that device's following one.
    SimSlot pop();
    /// Changes a device's interval from `now` on: its next slot comes `interval` after `now`.
    void set_interval(size_t device, double interval, double now);
    /// A device's current interval in seconds.
    double interval(size_t device) const { return devices_[device].interval; }

  private:
    struct Entry {
        SimSlot slot;
        uint64_t version;
        bool operator>(const Entry& o) const {
            return slot.at != o.slot.at ? slot.at > o.slot.at : slot.device > o.slot.device;
        }
    };
    struct Device {
        double interval;
        uint64_t version = 0;
        SimRandom rng;
    };
    double next_gap(Device& d);
    void drop_stale();

    double jitter_;
    std::vector<Device> devices_;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
};

}  // namespace iotctl::sim
