// `iotctl replay` (DESIGN.md §3).
#pragma once

#include "cmd/subcommands.h"

namespace iotctl::cli {

/// Adds replay's flags to `app` and returns what runs it.
RunFn setup_replay(CLI::App& app);

}  // namespace iotctl::cli
