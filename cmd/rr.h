// `iotctl rr`: publish a request and print its reply, like mosquitto_rr (docs/commands.md#rr).
#pragma once

#include <optional>
#include <string>

#include "cmd/mosquitto_flags.h"
#include "cmd/subcommands.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// Everything `rr` is told on the command line.
struct RrOptions {
    broker::ConnOptions conn;
    std::string topic, response_topic, file;
    std::optional<std::string> message;  // -m, possibly empty
    bool stdin_whole = false, null_message = false;
    int qos = 0;
    double timeout = 0;      // -W: seconds to wait for each reply (0: no limit)
    int count = 1;           // --count: requests sent one after the other
    bool latency = false;    // --latency: each round trip on stderr
    std::string match_path;  // --match-path: JSON field the responder echoes
    bool verbose = false, json = false, no_eol = false, pretty = false;
    std::string format;
    bool persistent = false;   // -c
    int session_expiry = -1;   // -x
    MosquittoFlags mosquitto;  // -D, -d, --quiet, -I, -M, --nodelay, -A
};

/// Adds rr's flags to `app` and returns what runs it.
RunFn setup_rr(CLI::App& app);

/// Runs `rr`; returns the exit code (0 replied, 5 no reply within -W, 130 interrupted).
int run_rr(RrOptions& opts);

}  // namespace iotctl::cli
