// Receive times that never repeat, so two messages never become one point (a point is its
// series plus its time, in every sink) when they were received in the same nanosecond.
#pragma once

#include <cstdint>
#include <string>

namespace iotctl::broker {

/// Stamps messages with receive times that strictly increase in one process and, for the
/// processes of one `--share` group, fall in different residues modulo k_lanes nanoseconds.
class ReceiveClock {
  public:
    /// How many processes of one share group get disjoint receive times.
    static constexpr int64_t k_lanes = 16;

    /// A clock for lane `lane` (taken modulo k_lanes).
    explicit ReceiveClock(unsigned lane) : lane_(static_cast<int64_t>(lane) % k_lanes) {}

    /// The receive time to use for a message received at `now_ns`: within k_lanes ns of it,
    /// congruent to the lane modulo k_lanes, and above every time returned before.
    int64_t next(int64_t now_ns);

  private:
    int64_t lane_;
    int64_t last_ = INT64_MIN;
};

/// The lane of one ingest process: slot - 1 for the numbered state slots of a derived client
/// id (slot 1, 2, 3...), else a stable hash of the client id.
unsigned receive_lane(const std::string& client_id, int slot, bool numbered_slots);

}  // namespace iotctl::broker
