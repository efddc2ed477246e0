#include "core/sim/schedule.h"

#include <algorithm>

namespace iotctl::sim {

SimSchedule::SimSchedule(const std::vector<std::string>& names, double interval, double jitter,
                         uint64_t seed)
    : jitter_(jitter) {
    devices_.reserve(names.size());
    for (const auto& name : names)
        devices_.push_back(Device{interval, 0, SimRandom(seed, name, "schedule")});
    const double n = static_cast<double>(names.size());
    for (size_t i = 0; i < names.size(); ++i)
        heap_.push(Entry{SimSlot{i, interval * static_cast<double>(i) / n}, 0});
}

double SimSchedule::next_gap(Device& d) {
    if (jitter_ <= 0) return d.interval;
    return d.interval * (1.0 + jitter_ * (2.0 * d.rng.uniform() - 1.0));
}

void SimSchedule::drop_stale() {
    while (!heap_.empty() && heap_.top().version != devices_[heap_.top().slot.device].version)
        heap_.pop();
}

SimSlot SimSchedule::pop() {
    drop_stale();
    Entry e = heap_.top();
    heap_.pop();
    Device& d = devices_[e.slot.device];
    heap_.push(Entry{SimSlot{e.slot.device, e.slot.at + next_gap(d)}, d.version});
    drop_stale();
    return e.slot;
}

void SimSchedule::set_interval(size_t device, double interval, double now) {
    Device& d = devices_[device];
    d.interval = interval;
    ++d.version;
    heap_.push(Entry{SimSlot{device, now + interval}, d.version});
    drop_stale();
}

}  // namespace iotctl::sim
