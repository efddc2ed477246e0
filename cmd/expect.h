// `iotctl expect`: wait until the expected messages arrive, or prove that none do
// (docs/commands.md#expect): the check of a CI smoke test.
#pragma once

#include <string>
#include <vector>

#include "cmd/subcommands.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// Everything `expect` is told on the command line.
struct ExpectOptions {
    broker::ConnOptions conn;
    std::vector<std::string> topics, where;
    std::string payload;  // --payload: the exact payload a match must have
    bool payload_given = false;
    int qos = 0;
    int count = 0;            // --count: matching messages to wait for (0: not given, 1)
    int distinct_topics = 0;  // --distinct-topics: topics with a match to wait for
    double timeout = 0;       // -W: give up (exit 5) after this many seconds
    bool absent = false;      // --absent: succeed only when nothing matched within -W
    bool skip_retained = false;
    bool verbose = false, json = false, no_eol = false;
    std::string format;
};

/// Adds expect's flags to `app` and returns what runs it.
RunFn setup_expect(CLI::App& app);

/// Runs `expect`; returns the exit code (0 met, 1 --absent saw a match, 5 timed out).
int run_expect(ExpectOptions& opts);

}  // namespace iotctl::cli
