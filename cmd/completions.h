// `iotctl completions` (DESIGN.md §3).
#pragma once

#include "cmd/subcommands.h"

namespace iotctl::cli {

/// Adds completions's flags to `app` and returns what runs it.
RunFn setup_completions(CLI::App& app);

}  // namespace iotctl::cli
