// `iotctl simulate-hexaboard` (DESIGN.md §3).
#pragma once

#include "cmd/subcommands.h"

namespace iotctl::cli {

/// Adds simulate-hexaboard's flags to `app` and returns what runs it.
RunFn setup_simulate_hexaboard(CLI::App& app);

}  // namespace iotctl::cli
