// `iotctl replay`: publish a recorded capture again (docs/commands.md#replay).
#pragma once

#include <string>
#include <vector>

#include "cmd/subcommands.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// Everything `replay` is told on the command line.
struct ReplayCliOptions {
    broker::ConnOptions conn;
    std::string capture;
    double speed = 1.0;
    int loops = 1;
    double loop_gap = 1.0;  // seconds between the end of one pass and the start of the next
    std::vector<std::string> topics, rewrites;
    std::vector<std::string> where;  // --where EXPR (all must hold)
    std::string from, to, rate;
    bool dry_run = false;
    int qos = -1;  // -1: as recorded
    bool retain = false, no_retain = false;
    double reconnect_timeout = 60;  // seconds to keep reconnecting after a lost broker
    int window = 200;            // Paho C scans its whole queue per publish: a short one is faster
    bool version_given = false;  // -V came from the command line, config or environment
};

/// Adds replay's flags to `app` and returns what runs it.
RunFn setup_replay(CLI::App& app);

/// Runs `replay`; returns the exit code.
int run_replay_command(ReplayCliOptions& opts);

}  // namespace iotctl::cli
