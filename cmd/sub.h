// `iotctl sub`: subscribe and print, like mosquitto_sub (docs/commands.md#sub).
#pragma once

#include <string>
#include <vector>

#include "cmd/subcommands.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// Everything `sub` is told on the command line.
struct SubOptions {
    broker::ConnOptions conn;
    std::vector<std::string> topics, filter_out;
    int qos = 0;
    bool verbose = false, json = false, no_eol = false;
    std::string format;
    int count = 0;       // -C: exit after this many messages (0: no limit)
    double timeout = 0;  // -W: exit (code 5) after this many seconds
    bool skip_retained = false, retained_only = false, persistent = false;
    int session_expiry = -1;
    std::string record;              // --record FILE: capture file
    std::vector<std::string> where;  // --where EXPR (all must hold)
};

/// Adds sub's flags to `app` and returns what runs it.
RunFn setup_sub(CLI::App& app);

/// Runs `sub`; returns the exit code.
int run_sub(SubOptions& opts);

}  // namespace iotctl::cli
