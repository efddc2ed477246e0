// `iotctl sub`: subscribe and print, like mosquitto_sub (docs/commands.md#sub).
#pragma once

#include <string>
#include <vector>

#include "cmd/mosquitto_flags.h"
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
    std::string record;                           // --record FILE: capture file
    std::vector<std::string> unsubscribe;         // -U
    bool exit_after_subscribe = false;            // -E
    bool remove_retained = false;                 // --remove-retained
    bool pretty = false;                          // --pretty: %j, %J and --json indented
    MosquittoFlags mosquitto;                     // -D, -d, --quiet, -I, -M, --nodelay, -A
    const CLI::Option* count_option = nullptr;    // to tell `-C 0` from no -C
    const CLI::Option* timeout_option = nullptr;  // to tell `-W 0` from no -W
    std::vector<std::string> where;               // --where EXPR (all must hold)
    int rolling = 0;                              // --rolling N: means of the last N readings
    const CLI::Option* rolling_option = nullptr;  // to tell `--rolling 0` from no --rolling
};

/// Adds sub's flags to `app` and returns what runs it.
RunFn setup_sub(CLI::App& app);

/// Runs `sub`; returns the exit code.
int run_sub(SubOptions& opts);

}  // namespace iotctl::cli
