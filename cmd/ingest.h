// `iotctl ingest` (DESIGN.md §3).
#pragma once

#include "cmd/subcommands.h"

namespace iotctl::cli {

/// Adds ingest's flags to `app` and returns what runs it.
RunFn setup_ingest(CLI::App& app);

}  // namespace iotctl::cli
