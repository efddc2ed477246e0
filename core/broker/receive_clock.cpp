#include "core/broker/receive_clock.h"

namespace iotctl::broker {

int64_t ReceiveClock::next(int64_t now_ns) {
    int64_t residue = now_ns % k_lanes;
    if (residue < 0) residue += k_lanes;
    int64_t t = now_ns - residue + lane_;
    if (last_ != INT64_MIN && t <= last_) t = last_ + k_lanes;  // same residue as last_
    last_ = t;
    return t;
}

unsigned receive_lane(const std::string& client_id, int slot, bool numbered_slots) {
    if (numbered_slots) return static_cast<unsigned>(slot - 1);
    uint32_t h = 2166136261u;  // FNV-1a 32: stable across runs and machines
    for (unsigned char c : client_id) h = (h ^ c) * 16777619u;
    return h;
}

}  // namespace iotctl::broker
