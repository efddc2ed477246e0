// `iotctl retained ls|clear FILTER...`: list or clear retained messages
// (docs/commands.md#retained).
#pragma once

#include <string>
#include <vector>

#include "cmd/subcommands.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// Everything `retained` is told on the command line.
struct RetainedOptions {
    broker::ConnOptions conn;
    std::string action;                // ls or clear
    std::vector<std::string> filters;  // positional, and -t
    double wait = 1.0;                 // -W: quiet period, seconds
    bool json = false;                 // --json lines instead of aligned text
    bool dry_run = false;              // clear: list only
    bool yes = false;                  // clear: allowed to clear `#`
};

/// Adds retained's flags to `app` and returns what runs it.
RunFn setup_retained(CLI::App& app);

/// Runs `retained`; returns the exit code.
int run_retained(RetainedOptions& opts);

}  // namespace iotctl::cli
