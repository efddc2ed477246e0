// `iotctl csv-export` (DESIGN.md §3).
#pragma once

#include "cmd/subcommands.h"

namespace iotctl::cli {

/// Adds csv-export's flags to `app` and returns what runs it.
RunFn setup_csv_export(CLI::App& app);

}  // namespace iotctl::cli
