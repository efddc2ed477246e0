// `iotctl simulate-hexaboard` (docs/commands.md#simulate-hexaboard): simulated hexaboards or
// Tasmota gateways.
#pragma once

#include <string>

#include "cmd/subcommands.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// Everything simulate-hexaboard is told on the command line.
struct SimulateOptions {
    broker::ConnOptions conn;
    std::string boards;        // --boards A,B,C
    int count = 0;             // --count N (default 3 when neither is given)
    double interval = 1.0;     // --interval S
    double jitter = 0.0;       // --jitter F (fraction of the interval)
    double duration = 0.0;     // --duration S
    int64_t messages = 0;      // --messages N (total)
    std::string seed;          // --seed N (default: random, printed in the summary)
    std::string start_time;    // --start-time UNIX: deterministic timestamps
    std::string topic_prefix;  // --topic-prefix P
    int qos = 0;               // -q
    std::string profile = "hexaboard";
    double faults = 0.0;       // --faults RATE
    int max_connecting = 256;  // --max-connecting N
};

/// Adds simulate-hexaboard's flags to `app` and returns what runs it.
RunFn setup_simulate_hexaboard(CLI::App& app);

/// Runs simulate-hexaboard; returns the exit code.
int run_simulate_hexaboard(SimulateOptions& opts);

}  // namespace iotctl::cli
