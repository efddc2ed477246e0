// `iotctl pub`: publish like mosquitto_pub, but never drop a line (docs/commands.md#pub).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cmd/mosquitto_flags.h"
#include "cmd/subcommands.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// Everything `pub` is told on the command line.
struct PubOptions {
    broker::ConnOptions conn;
    std::string topic, file;
    std::optional<std::string> message;  // -m, possibly empty (an empty payload)
    bool stdin_whole = false, stdin_lines = false, null_message = false, jsonl = false;
    bool retain = false;
    int qos = 0;
    int repeat = 1;
    double repeat_delay = 0;
    std::string rate;
    bool persistent = false;        // -c: no clean session
    int session_expiry = -1;        // -x, seconds (-1: not given)
    MosquittoFlags mosquitto;       // -D, -d, --quiet, -I, -M, --nodelay, -A
    size_t window = 1000;           // publishes in flight before waiting
    double reconnect_timeout = 60;  // seconds to keep reconnecting after a lost broker
};

/// Adds pub's flags to `app` and returns what runs it.
RunFn setup_pub(CLI::App& app);

/// Runs `pub`; returns the exit code.
int run_pub(PubOptions& opts);

}  // namespace iotctl::cli
