// Process limits for running thousands of connections from one process.
#pragma once

#include <cstdint>

#include "core/base/error.h"

namespace iotctl::sim {

/// Raises RLIMIT_NOFILE so at least `needed` descriptors can be open (to the hard limit, and past
/// it when privileged). Returns the new soft limit, or an error saying what to raise, and how.
base::Result<uint64_t> ensure_open_files(uint64_t needed, const char* what);

}  // namespace iotctl::sim
