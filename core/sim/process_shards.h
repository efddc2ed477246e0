// Large fleets in several processes: Paho's asynchronous client keeps one socket table per
// process (sorted again on every new socket and polled whole for every event), so connecting
// gets slower with every device one process holds. Past a few thousand devices the fleet is
// split into slices, each run by a child process, and their summaries are added up.
#pragma once

#include <cstddef>
#include <functional>

#include "core/base/error.h"
#include "core/sim/fleet.h"

namespace iotctl::sim {

/// Devices one process simulates at most before the fleet is split.
inline constexpr size_t k_devices_per_process = 2000;

/// Runs one slice [begin, end) of the devices and returns its summary.
using SliceRunner = std::function<base::Result<FleetStats>(size_t begin, size_t end)>;

/// Runs `devices` devices: in this process when they fit in one slice, else in
/// ceil(devices / per_process) child processes forked before any MQTT client exists (call it
/// before creating one). SIGINT/SIGTERM reach every child; the result adds their summaries up,
/// or is the first slice's error (a broker that refuses refuses them all alike).
base::Result<FleetStats> run_in_slices(size_t devices, size_t per_process,
                                       const SliceRunner& run_slice);

/// The summaries of two slices added up (times and lags: the larger).
FleetStats add_stats(const FleetStats& a, const FleetStats& b);

}  // namespace iotctl::sim
